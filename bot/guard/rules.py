"""The patient-information detectors: HIPAA Safe Harbor identifiers as they show up in chat.

Pure-Python rules, one small function per kind. Most identifiers are only identifiers next to
a cue ("MRN", "DOB", "serial"), so each rule looks for the cue and a value of the right shape
nearby; a few shapes are strong on their own (`123-45-6789`, an email, a street address).
`tests/data/guard_eval.jsonl` is the labelled set; `benchmarks/guard.py` measures it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.guard.patterns import (
    AGE_RES,
    CLINICAL_RE,
    DATE_RE,
    DEVICE_RE,
    DOB_CUE,
    EMAIL_RE,
    EVENT_WORDS,
    FAMILY_RE,
    FULL_NAME_EVENT_RE,
    HONORIFIC_RE,
    IP_RE,
    LIVES_RE,
    NOT_NAMES,
    OLDEST_SERVICE_YEAR,
    PATIENT_CUE_RE,
    PERSON_PARAM_RE,
    PERSONAL_URL_RE,
    PHONE_CUE_RE,
    PHONE_RES,
    PO_BOX_RE,
    POSTCODE_RE,
    RECORD_RE,
    ROLE_MAILBOXES,
    ROLE_WORDS_RE,
    SERVICE_CUE,
    SSN_RES,
    STAFF_AFTER_RE,
    STATE_ZIP_RE,
    STREET_RE,
    UDI_RE,
    UNIT_RE,
    URL_RE,
    VENUE_WORDS,
    VIN_RE,
    YEAR_RE,
    ZIP_RE,
)


class Kind(enum.StrEnum):
    NAME = "name"
    DATE = "date"
    AGE = "age"
    RECORD = "record"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    SSN = "ssn"
    DEVICE = "device"
    URL = "url"


DESCRIPTIONS = {
    Kind.NAME: "a patient's name",
    Kind.DATE: "a date of birth or of care",
    Kind.AGE: "an age over 89",
    Kind.RECORD: "a record, account or insurance number",
    Kind.PHONE: "a phone or fax number",
    Kind.EMAIL: "an email address",
    Kind.ADDRESS: "a street address or postcode",
    Kind.SSN: "a social security number",
    Kind.DEVICE: "a device serial or vehicle plate",
    Kind.URL: "a personal web address or IP address",
}


@dataclass(frozen=True)
class Finding:
    """One identifier found: its kind and where it is (never shown: members see the kind)."""

    kind: Kind
    start: int
    end: int


# Dashes and spaces people paste from documents, as plain ones (same length: spans stay).
_PLAIN = str.maketrans({c: "-" for c in "‐‑‒–—−"} | {"\u00a0": " ", "\u202f": " "})


def _names_ok(*names: str | None) -> bool:
    found = [n for n in names if n]
    return bool(found) and all(n not in NOT_NAMES for n in found[:1])


# -- rules -------------------------------------------------------------------------------------
def _ssn(text: str) -> Iterator[Finding]:
    for pattern in SSN_RES:
        for match in pattern.finditer(text):
            yield Finding(Kind.SSN, match.start(), match.end())


def _records(text: str) -> Iterator[Finding]:
    for match in RECORD_RE.finditer(text):
        value = match.group(1)
        if sum(c.isdigit() for c in value) >= 4:
            yield Finding(Kind.RECORD, match.start(1), match.end(1))


def _phones(text: str) -> Iterator[Finding]:
    for pattern in PHONE_RES:
        for match in pattern.finditer(text):
            if sum(c.isdigit() for c in match.group(0)) >= 9:
                yield Finding(Kind.PHONE, match.start(), match.end())
    for match in PHONE_CUE_RE.finditer(text):
        if sum(c.isdigit() for c in match.group(1)) >= 7:
            yield Finding(Kind.PHONE, match.start(1), match.end(1))
    if "+" in text:
        yield from _international(text)


def _international(text: str) -> Iterator[Finding]:
    """Numbers in international format that the shapes above miss, checked by `phonenumbers`
    (imported on first use: its metadata is large, and most messages have no `+`)."""
    import phonenumbers

    matcher = phonenumbers.PhoneNumberMatcher(text, None, leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        yield Finding(Kind.PHONE, match.start, match.end)


def _emails(text: str) -> Iterator[Finding]:
    for match in EMAIL_RE.finditer(text):
        mailbox = match.group(0).split("@", 1)[0].lower()
        if mailbox not in ROLE_MAILBOXES:  # events@, info@: an organisation, not a person
            yield Finding(Kind.EMAIL, match.start(), match.end())


def _urls(text: str) -> Iterator[Finding]:
    for match in IP_RE.finditer(text):
        yield Finding(Kind.URL, match.start(), match.end())
    for match in PERSONAL_URL_RE.finditer(text):
        yield Finding(Kind.URL, match.start(), match.end())
    for match in URL_RE.finditer(text):
        if PERSON_PARAM_RE.search(match.group(0)):
            yield Finding(Kind.URL, match.start(), match.end())


def _devices(text: str) -> Iterator[Finding]:
    for match in DEVICE_RE.finditer(text):
        yield Finding(Kind.DEVICE, match.start(1), match.end(1))
    for pattern in (VIN_RE, UDI_RE):
        for match in pattern.finditer(text):
            yield Finding(Kind.DEVICE, match.start(), match.end())


def _sentence(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence around a span, and where it starts in `text`."""
    left = max(text.rfind(". ", 0, start), text.rfind("? ", 0, start), text.rfind("! ", 0, start))
    right = min((i for i in (text.find(m, end) for m in (". ", "? ", "! ")) if i >= 0), default=-1)
    begin = left + 1 if left >= 0 else 0
    return text[begin : right if right >= 0 else len(text)], begin


def _distance(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    """How far the nearest match of `pattern` is from the span (None: nowhere in `text`)."""
    gaps = [max(found.start() - end, start - found.end(), 0) for found in pattern.finditer(text)]
    return min(gaps, default=None)


def _dates(text: str) -> Iterator[Finding]:
    for match in DATE_RE.finditer(text):
        before = text[max(0, match.start() - 24) : match.start()]
        if DOB_CUE.search(before):
            yield Finding(Kind.DATE, match.start(), match.end())
            continue
        year = YEAR_RE.search(match.group(0))
        if year and 1900 <= int(year.group(0)) < OLDEST_SERVICE_YEAR:
            yield Finding(Kind.DATE, match.start(), match.end())
            continue
        around, offset = _sentence(text, match.start(), match.end())
        care = _distance(SERVICE_CUE, around, match.start() - offset, match.end() - offset)
        event = _distance(EVENT_WORDS, around, match.start() - offset, match.end() - offset)
        if care is not None and (event is None or care < event):  # "seen on …", not "call on …"
            yield Finding(Kind.DATE, match.start(), match.end())


def _ages(text: str) -> Iterator[Finding]:
    for pattern in AGE_RES:
        for match in pattern.finditer(text):
            yield Finding(Kind.AGE, match.start(), match.end())


def _addresses(text: str) -> Iterator[Finding]:
    spans = [m.span() for m in STREET_RE.finditer(text)]
    spans += [m.span() for p in (LIVES_RE, UNIT_RE, PO_BOX_RE, ZIP_RE) for m in p.finditer(text)]
    spans += [m.span() for p in (STATE_ZIP_RE, POSTCODE_RE) for m in p.finditer(text)]
    for start, end in spans:
        if not VENUE_WORDS.search(_sentence(text, start, end)[0]):  # a venue is public
            yield Finding(Kind.ADDRESS, start, end)


def _names(text: str) -> Iterator[Finding]:
    for match in PATIENT_CUE_RE.finditer(text):
        if _names_ok(match.group(1)):
            yield Finding(Kind.NAME, match.start(1), match.end())
    for match in FULL_NAME_EVENT_RE.finditer(text):
        if _names_ok(match.group(1), match.group(2)) and match.group(2) not in NOT_NAMES:
            yield Finding(Kind.NAME, match.start(1), match.end(2))
    clinical = CLINICAL_RE.search(text) is not None
    if not clinical:
        return
    for match in HONORIFIC_RE.finditer(text):
        after = text[match.end() : match.end() + 40]
        sentence = _sentence(text, match.start(), match.end())[0]
        if STAFF_AFTER_RE.match(after) or ROLE_WORDS_RE.search(sentence):
            continue  # "Mr Chen, our chief executive": staff, not a patient
        if CLINICAL_RE.search(sentence) and _names_ok(match.group(1)):
            yield Finding(Kind.NAME, match.start(), match.end())
    for match in FAMILY_RE.finditer(text):
        if _names_ok(match.group(1)):
            yield Finding(Kind.NAME, match.start(), match.end())


RULES: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _ssn,
    _records,
    _devices,
    _phones,
    _emails,
    _urls,
    _dates,
    _ages,
    _addresses,
    _names,
)
OUTRANKS = {Kind.SSN, Kind.RECORD, Kind.DEVICE, Kind.URL, Kind.EMAIL}
"""Kinds whose span wins an overlap with a phone number, a date or an address (an NHS number
is not also a phone number; a date inside a device id is not a date of care)."""


def scan(text: str) -> tuple[Finding, ...]:
    """Every identifier found in `text`, in order of position."""
    plain = text.translate(_PLAIN)
    found: list[Finding] = []
    for rule in RULES:
        found.extend(rule(plain))
    strong = [f for f in found if f.kind in OUTRANKS]
    kept = [
        f
        for f in found
        if f.kind in OUTRANKS
        or not any(s.start < f.end and f.start < s.end and s.kind != f.kind for s in strong)
    ]
    return tuple(sorted(set(kept), key=lambda f: (f.start, f.end, f.kind)))


def kinds(text: str) -> frozenset[Kind]:
    """The kinds of identifier in `text` (what a member is told)."""
    return frozenset(f.kind for f in scan(text))

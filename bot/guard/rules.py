"""The patient-information detectors: HIPAA Safe Harbor identifiers as they show up in chat.

Pure-Python rules, one small function per kind. Most identifiers are only identifiers next to
a cue ("MRN", "DOB", "serial"), so each rule looks for the cue and a value of the right shape
nearby; a few shapes are strong on their own (`123-45-6789`, an email, a street address).
`tests/data/guard_eval.jsonl` is the labelled set; `benchmarks/guard.py` measures it.
"""

from __future__ import annotations

import bisect
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


SENTENCE_END = re.compile(r"[.?!] ")


class Text:
    """The text being scanned, with its sentence ends and each cue's matches found once, so
    a long message with many candidates costs time in proportion to its length."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ends = [m.start() for m in SENTENCE_END.finditer(text)]
        self._spans: dict[re.Pattern[str], list[tuple[int, int]]] = {}

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """Where the sentence (or sentences) holding the span begins and ends."""
        before = bisect.bisect_left(self._ends, start)
        after = bisect.bisect_left(self._ends, end)
        begin = self._ends[before - 1] + 1 if before else 0
        return begin, self._ends[after] if after < len(self._ends) else len(self.text)

    def spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        found = self._spans.get(pattern)
        if found is None:
            found = self._spans[pattern] = [m.span() for m in pattern.finditer(self.text)]
        return found

    def distance(self, pattern: re.Pattern[str], start: int, end: int) -> int | None:
        """How far the nearest match of `pattern` in the span's sentence is from the span."""
        begin, finish = self.sentence(start, end)
        gaps = [
            max(s - end, start - e, 0) for s, e in self.spans(pattern) if begin <= s and e <= finish
        ]
        return min(gaps, default=None)

    def near(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        """Whether `pattern` matches in the span's sentence."""
        return self.distance(pattern, start, end) is not None


# -- rules -------------------------------------------------------------------------------------
def _ssn(t: Text) -> Iterator[Finding]:
    for pattern in SSN_RES:
        for match in pattern.finditer(t.text):
            yield Finding(Kind.SSN, match.start(), match.end())


def _records(t: Text) -> Iterator[Finding]:
    for match in RECORD_RE.finditer(t.text):
        value = match.group(1)
        if sum(c.isdigit() for c in value) >= 4:
            yield Finding(Kind.RECORD, match.start(1), match.end(1))


def _phones(t: Text) -> Iterator[Finding]:
    for pattern in PHONE_RES:
        for match in pattern.finditer(t.text):
            if sum(c.isdigit() for c in match.group(0)) >= 9:
                yield Finding(Kind.PHONE, match.start(), match.end())
    for match in PHONE_CUE_RE.finditer(t.text):
        if sum(c.isdigit() for c in match.group(1)) >= 7:
            yield Finding(Kind.PHONE, match.start(1), match.end(1))
    if "+" in t.text:
        yield from _international(t.text)


def _international(text: str) -> Iterator[Finding]:
    """Numbers in international format that the shapes above miss, checked by `phonenumbers`
    (imported on first use: its metadata is large, and most messages have no `+`)."""
    import phonenumbers

    matcher = phonenumbers.PhoneNumberMatcher(text, None, leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        yield Finding(Kind.PHONE, match.start, match.end)


def _emails(t: Text) -> Iterator[Finding]:
    for match in EMAIL_RE.finditer(t.text):
        mailbox = match.group(0).split("@", 1)[0].lower()
        if mailbox not in ROLE_MAILBOXES:  # events@, info@: an organisation, not a person
            yield Finding(Kind.EMAIL, match.start(), match.end())


def _urls(t: Text) -> Iterator[Finding]:
    for pattern in (IP_RE, PERSONAL_URL_RE):
        for match in pattern.finditer(t.text):
            yield Finding(Kind.URL, match.start(), match.end())
    for match in URL_RE.finditer(t.text):
        if PERSON_PARAM_RE.search(match.group(0)):
            yield Finding(Kind.URL, match.start(), match.end())


def _devices(t: Text) -> Iterator[Finding]:
    for match in DEVICE_RE.finditer(t.text):
        yield Finding(Kind.DEVICE, match.start(1), match.end(1))
    for pattern in (VIN_RE, UDI_RE):
        for match in pattern.finditer(t.text):
            yield Finding(Kind.DEVICE, match.start(), match.end())


def _dates(t: Text) -> Iterator[Finding]:
    for match in DATE_RE.finditer(t.text):
        start, end = match.span()
        if DOB_CUE.search(t.text[max(0, start - 24) : start]):
            yield Finding(Kind.DATE, start, end)
            continue
        year = YEAR_RE.search(match.group(0))
        if year and 1900 <= int(year.group(0)) < OLDEST_SERVICE_YEAR:
            yield Finding(Kind.DATE, start, end)
            continue
        care = t.distance(SERVICE_CUE, start, end)
        event = t.distance(EVENT_WORDS, start, end)
        if care is not None and (event is None or care < event):  # "seen on …", not "call on …"
            yield Finding(Kind.DATE, start, end)


def _ages(t: Text) -> Iterator[Finding]:
    for pattern in AGE_RES:
        for match in pattern.finditer(t.text):
            yield Finding(Kind.AGE, match.start(), match.end())


ADDRESS_SHAPES = (STREET_RE, LIVES_RE, UNIT_RE, PO_BOX_RE, ZIP_RE, STATE_ZIP_RE, POSTCODE_RE)


def _addresses(t: Text) -> Iterator[Finding]:
    for pattern in ADDRESS_SHAPES:
        for start, end in t.spans(pattern):
            if not t.near(VENUE_WORDS, start, end):  # a venue's address is public
                yield Finding(Kind.ADDRESS, start, end)


def _names(t: Text) -> Iterator[Finding]:
    for match in PATIENT_CUE_RE.finditer(t.text):
        if _names_ok(match.group(1)):
            yield Finding(Kind.NAME, match.start(1), match.end())
    for match in FULL_NAME_EVENT_RE.finditer(t.text):
        if _names_ok(match.group(1), match.group(2)) and match.group(2) not in NOT_NAMES:
            yield Finding(Kind.NAME, match.start(1), match.end(2))
    if not t.spans(CLINICAL_RE):
        return
    for match in HONORIFIC_RE.finditer(t.text):
        start, end = match.span()
        if STAFF_AFTER_RE.match(t.text[end : end + 40]) or t.near(ROLE_WORDS_RE, start, end):
            continue  # "Mr Chen, our chief executive": staff, not a patient
        if t.near(CLINICAL_RE, start, end) and _names_ok(match.group(1)):
            yield Finding(Kind.NAME, start, end)
    for match in FAMILY_RE.finditer(t.text):
        if _names_ok(match.group(1)):
            yield Finding(Kind.NAME, match.start(), match.end())


RULES: tuple[Callable[[Text], Iterator[Finding]], ...] = (
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
    scanned = Text(text.translate(_PLAIN))
    found: list[Finding] = []
    for rule in RULES:
        found.extend(rule(scanned))
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

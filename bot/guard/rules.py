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
IC = re.IGNORECASE

# -- shapes ------------------------------------------------------------------------------------
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE_RE = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
    rf"|{DAY}\s+(?:of\s+)?{MONTH},?\s+\d{{4}}|{MONTH}\s+{DAY},?\s+\d{{4}})\b",
    IC,
)
YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
DOB_CUE = re.compile(
    r"\b(?:dob|d\.o\.b\b\.?|date of birth|birth ?date|birthday|born(?: on)?)\W{0,4}$", IC
)
SERVICE_CUE = re.compile(
    r"\b(?:admitted|readmitted|admission|discharged?|seen|visit|surgery|operated|procedure"
    r"|presented|died|passed away|death|deceased|delivered|transferred|arrived|triaged"
    r"|intubated|biopsy|scan|imaging|mri|ct|attended)\b",
    IC,
)
EVENT_WORDS = re.compile(
    r"\b(?:meeting|grand rounds?|conference|congress|webinar|session|talk|workshop|forum"
    r"|course|summit|journal club|deadline|dinner|call|policy|version|rota|audit|award)\b",
    IC,
)
OLDEST_SERVICE_YEAR = 2012  # a full date before this is far likelier a birth date than a meeting

AGE_RES = (
    re.compile(r"\b(?:9\d|1[01]\d)[\s-]?(?:years?|yrs?|yr)\.?[\s-]?old\b", IC),
    re.compile(r"\b(?:9\d|1[01]\d)\s?(?:yo|y/o|y\.o\.?|yoa)(?!\w)", IC),
    re.compile(r"\bage[ds]?:?\s*(?:9\d|1[01]\d)\b(?!\s*(?:%|percent))", IC),
    re.compile(
        r"\b(?:in|into)\s+(?:his|her|their)\s+(?:early\s+|mid[\s-]?|late\s+)?"
        r"(?:90s|nineties|100s)\b",
        IC,
    ),
    re.compile(r"\b(?:super)?(?:nonagenarian|centenarian)s?\b", IC),
    re.compile(r"\b(?:9\d|1[01]\d)\s?[MF]\b"),
    re.compile(
        r"\b(?:patient|man|woman|lady|gentleman|gent|male|female|grand(?:mother|father)"
        r"|mother|father|husband|wife)\b,?\s(?:aged\s)?(?:9\d|1[01]\d)\b"
        r"(?!\s*(?:%|percent|minutes|mins|hours|days|weeks|patients|people|staff|beds))",
        IC,
    ),
)

RECORD_CUE = (
    r"(?:mrn|m\.r\.n\.?|medical record(?:\s+(?:number|no\.?|#))?|record\s+(?:number|no\.?|#)"
    r"|chart(?:\s+(?:number|no\.?))?|hospital\s+(?:number|no\.?|#)|patient\s+(?:id|number|no\.?)"
    r"|account(?:\s+(?:number|no\.?))?|acct\.?|policy(?:\s+(?:number|no\.?))?"
    r"|member\s+(?:id|number)|insurance(?:\s+(?:member\s+)?(?:id|number|no\.?))?"
    r"|subscriber\s+(?:id|number)|(?:health\s+)?plan\s+(?:id|number)"
    r"|beneficiary\s+(?:id|number)|medicare(?:\s+(?:number|no\.?|id))?"
    r"|medicaid(?:\s+(?:number|no\.?|id))?|claim(?:\s+(?:number|no\.?))?"
    r"|encounter(?:\s+(?:number|id|fin|csn))?|fin|csn|nhs\s+(?:number|no\.?)|chi\s+number"
    r"|mbi|(?:driver'?s'?|driving)\s+licen[cs]e(?:\s+(?:number|no\.?))?|passport(?:\s+(?:number|no\.?))?)"
)
IDENTIFIER = r"(?:\d{3}[\s-]\d{3}[\s-]\d{4}|[A-Z0-9][A-Z0-9-]{3,}(?:\s\d{3,4}){0,2})"
RECORD_RE = re.compile(rf"\b{RECORD_CUE}(?:\s+(?:is|was))?[\s:#.=]{{0,4}}({IDENTIFIER})", IC)

PHONE_RES = (
    re.compile(r"(?<![\w/.-])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?![\w-])"),
    re.compile(r"(?<![\w/.])\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}(?![\w-])"),
    re.compile(r"(?<![\w/.-])0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w/-])"),
)
PHONE_CUE_RE = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|fax|call|text|ring|whatsapp|number)\b\W{0,12}"
    r"(\d[\d\s().-]{6,16}\d)",
    IC,
)

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_ROLE_MAILBOXES_WORDS = (
    "info events event abstracts admin contact hello team office support noreply no-reply "
    "secretariat registration register enquiries enquiry help membership press media jobs "
    "careers webmaster conference organisers organizers committee programme program"
)
ROLE_MAILBOXES = frozenset(_ROLE_MAILBOXES_WORDS.split())

OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IP_RE = re.compile(rf"(?<![\w.]){OCTET}(?:\.{OCTET}){{3}}(?!\w|\.\d)")
PERSONAL_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:"
    r"(?:facebook|fb|instagram|twitter|x|threads|tiktok|youtube|reddit|medium|snapchat)\.com/"
    r"(?:@|u/|user/)?[\w.-]{2,}"
    r"|linkedin\.com/in/[\w.-]+|gofundme\.com/[\w/.-]+|caringbridge\.org/[\w/.-]+"
    r"|(?:t|wa)\.me/[\w+.-]+|[\w-]+\.(?:blogspot|wordpress|substack|tumblr)\.com\S*)",
    IC,
)
URL_RE = re.compile(r"\bhttps?://\S+|\bwww\.\S+", IC)
PERSON_PARAM_RE = re.compile(r"[?&](?:patient|mrn|pid|patient_?id|chart|record|dob|ssn)=", IC)

SSN_RES = (
    re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])"),
    re.compile(
        r"\b(?:ssn|ss#|s\.s\.n\.?|social\s+security(?:\s+(?:number|no\.?|#))?"
        r"|(?:his|her|their|the)\s+social(?:\s+is)?|sin)\b\W{0,6}"
        r"(\d{3}[\s-]?\d{2,3}[\s-]?\d{3,4})",
        IC,
    ),
    re.compile(
        r"\blast\s+(?:four|4)(?:\s+digits)?\s+of\s+(?:the\s+)?(?:ssn|social)\W{0,4}\d{4}\b", IC
    ),
)

DEVICE_CUE = (
    r"(?:serial(?:\s+(?:number|no\.?|#))?|s/n|sn|device\s+id|asset\s+tag|implant\s+lot"
    r"|lot(?:\s+(?:number|no\.?))?|udi|imei|mac\s+address|licen[cs]e\s+plate|number\s+plate"
    r"|plate(?:\s+number)?|registration\s+(?:number|no\.?|plate)|reg\s+plate|vin)"
)
DEVICE_RE = re.compile(
    rf"\b{DEVICE_CUE}\b[\s:#.]{{0,4}}"
    r"((?=[A-Z0-9()-]*\d)[A-Z0-9()][A-Z0-9()-]{2,}(?:\s[A-Z0-9]{2,4})?)",
    IC,
)
VIN_RE = re.compile(  # 17 characters, no I, O or Q, with letters and digits
    r"\b(?=[A-HJ-NPR-Z0-9]*\d)(?=(?:[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z]){3})[A-HJ-NPR-Z0-9]{17}\b"
)
UDI_RE = re.compile(r"\(01\)\d{14}")

STREET_SUFFIX = (
    r"(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|close|way|place"
    r"|pl|terrace|crescent|cres|square|sq|highway|hwy|parkway|pkwy|circle|cir|grove|gardens"
    r"|row|mews|walk)\b\.?"
)
STREET_RE = re.compile(
    r"\b\d{1,5}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z'’]+\.?\s+){1,3}" + STREET_SUFFIX, re.ASCII
)
STREET_RE_CI = re.compile(STREET_SUFFIX, IC)
LIVES_RE = re.compile(
    r"\b(?i:lives|living|resides|residing|staying|stays|home is)\s+(?:at|on|in)\s+"
    r"(?:\d{1,5}\s+)?(?:[A-Z][a-z'’]+\s+){1,3}" + STREET_SUFFIX
)
UNIT_RE = re.compile(r"\b(?:apt|apartment|flat|suite)\.?\s*#?\d+[A-Z]?\b", IC)
ZIP_RE = re.compile(
    r"\b(?:zip(?:\s*code)?|zipcode|postal\s+code|post\s*code)\W{0,3}(?:\d{5}(?:-\d{4})?"
    r"|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b",
    IC,
)
STATE_ZIP_RE = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b")
PO_BOX_RE = re.compile(r"\bP\.?\s?O\.?\s?Box\s+\d+", IC)
VENUE_WORDS = re.compile(
    r"\b(?:conference|congress|venue|meetup|meet-up|workshop|hackathon|summit|forum|retreat"
    r"|hotel|college|centre|center|hub|campus|office|dinner|library|held at)\b",
    IC,
)

NAME = r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*"
_NOT_NAMES_WORDS = (
    "The A An And Our My His Her Their This That These Those I We He She They It Can Could How "
    "What Who Why When Where Does Do Is Are Was Were Any Has Have Had Thanks Thank Please Dr "
    "Prof Professor Mr Mrs Ms Miss Mx Sir Madam Nurse Sister Ward Bed Room Patient Pt Baby "
    "Hospital Clinic Today Tomorrow Yesterday Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday January February March April May June July August September October "
    "November December Also But So If Then Since After Before Our Team Family Quick Question "
    "Advice Anyone Someone Admitted Discharged Surgery Mum Dad Foundation Report Lecture"
)
NOT_NAMES = frozenset(_NOT_NAMES_WORDS.split())
PATIENT_CUE_RE = re.compile(
    rf"\b(?:[Pp]atient|[Pp]t\.?|[Cc]lient|[Bb]aby|[Ii]nfant|[Cc]ase of|[Ff]all involving"
    rf"|[Ii]ncident involving|[Cc]are of)[:,]?\s+({NAME})(?:\s+({NAME}))?"
)
HONORIFIC_RE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?\s+({NAME})(?:\s+({NAME}))?")
FAMILY_RE = re.compile(rf"\b[Tt]he\s+({NAME})\s+family\b")
FULL_NAME_EVENT_RE = re.compile(
    rf"\b({NAME})\s+({NAME})(?:'s)?\s+(?:was\s+|is\s+|has\s+been\s+)?(?:admitted|readmitted"
    r"|discharged|diagnosed|transferred|intubated|presented|died|passed away|deteriorat\w+"
    r"|collapsed|fell|coded|refus\w+ (?:his|her|their) )"
)
CLINICAL_RE = re.compile(
    r"\b(?:beds?\s*\d*|ward\s*\d+|(?:re)?admitted|discharged?|diagnos\w+|biopsy|results?"
    r"|sepsis|stroke|chemo\w*|falls?|fell|dementia|insulin|bleed\w*|surgery|operation|icu|ed"
    r"|a&e|pain|deteriorat\w+|palliative|dnr|dnacpr|medications?|meds|dose|allergy|cancer"
    r"|pneumonia|chf|scan|mri|x-ray|consent|son|daughter|wife|husband|interpreter"
    r"|contact number|waited|symptoms?|infection|treatment|diagnosis|transfer\w*)\b",
    IC,
)
STAFF_AFTER_RE = re.compile(
    r"^[\s,]*(?:\(|,)?\s*(?:our|the|from|of)\s+(?:chief|ceo|director|head|manager|practice"
    r"|charity|hr|board|team|foundation|trust|education|department|committee)",
    IC,
)
ROLE_WORDS_RE = re.compile(r"\b(?:speaker|keynote|chair\w*|lecture|video|report|foundation)\b", IC)


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

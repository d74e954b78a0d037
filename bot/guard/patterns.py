"""The shapes and cues the guard's rules look for: regular expressions and word lists, kept
apart from the rules (`rules.py`) so each reads on its own."""

from __future__ import annotations

import re

IC = re.IGNORECASE

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
PERSONAL_URL_RE = re.compile(  # tried only where a word starts: no quadratic scans of a long run
    r"(?<![\w.-])(?:https?://)?(?:www\.|m\.)?(?:"
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

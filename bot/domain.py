"""Domain objects every programme reads: spaces, members and their profiles, roles, quiet hours."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, time

PROFESSIONS = (
    "student",
    "resident",
    "fellow",
    "physician",
    "nurse",
    "pharmacist",
    "allied-health",
    "administrator",
    "researcher",
    "other",
)
PROFESSION_WORDS = (  # what members type for a profession
    ("doctor", "physician"),
    ("consultant", "physician"),
    ("attending", "physician"),
    ("gp", "physician"),
    ("registrar", "resident"),
    ("intern", "resident"),
    ("junior doctor", "resident"),
    ("medical student", "student"),
    ("nursing student", "student"),
    ("nurse practitioner", "nurse"),
    ("midwife", "allied-health"),
    ("physiotherapist", "allied-health"),
    ("dietitian", "allied-health"),
    ("manager", "administrator"),
    ("admin", "administrator"),
)
STAGES = ("student", "trainee", "early-career", "mid-career", "senior")
STAGE_WORDS = (  # what members type for a stage; attending and consultant span three
    ("medical student", "student"),
    ("nursing student", "student"),
    ("pharmacy student", "student"),
    ("resident", "trainee"),
    ("registrar", "trainee"),
    ("intern", "trainee"),
    ("fellow", "trainee"),
    ("junior doctor", "trainee"),
    ("house officer", "trainee"),
    ("early", "early-career"),
    ("mid", "mid-career"),
    ("senior leader", "senior"),
)


class Role(enum.StrEnum):
    """What a member may do. Managers are platform admins plus members a manager adds."""

    MEMBER = "member"
    MENTOR = "mentor"
    MANAGER = "manager"


@dataclass(frozen=True)
class SpaceKey:
    """Identifies a space as its platform knows it: a Slack team, a Discord guild, the console."""

    platform: str
    external_id: str


@dataclass(frozen=True)
class Space:
    id: int
    key: SpaceKey
    name: str = ""


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in the member's own time zone, when nothing proactive reaches them."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Profile:
    name: str | None = None
    profession: str | None = None
    stage: str | None = None
    specialty: str | None = None
    institution: str | None = None
    region: str | None = None
    timezone: str | None = None
    interests: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    open_to_mentor: bool | None = None
    seeking_mentor: bool | None = None
    quiet_hours: QuietHours | None = None

    def with_changes(self, **changes: object) -> Profile:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def filled(self) -> int:
        """How many profile fields the member has filled in (for gentle completeness hints)."""
        values = (
            self.name,
            self.profession,
            self.stage,
            self.specialty,
            self.institution,
            self.region,
            self.timezone,
            self.interests,
            self.goals,
            self.open_to_mentor,
            self.seeking_mentor,
        )
        return sum(1 for value in values if value not in (None, ()))


@dataclass(frozen=True)
class Member:
    id: int
    space_id: int
    user_id: str
    display_name: str
    joined_at: datetime
    is_manager: bool = False
    """Made a manager in Rounds (`/rounds config manager add`, or the console's first member)."""
    welcomed_at: datetime | None = None
    profile: Profile = field(default_factory=Profile)
    is_platform_admin: bool = False
    """A platform admin when last seen (they manage the community by the platform's say)."""

    @property
    def label(self) -> str:
        return self.profile.name or self.display_name or self.user_id


# -- the member directory (shared: every programme may search it) ---------------------------
@dataclass(frozen=True)
class DirectoryQuery:
    """`/rounds find`: free-text words plus optional field filters, as the member typed them.

    The directory folds both sides (bot.text.fold), so case, accents and script never matter.
    A word of three characters or more matches anywhere in a profile; a shorter one matches a
    whole two-letter word ("AI", "UK") or, in scripts written without spaces and for emoji,
    any one or two characters ("李", "北京", "🩺"). Specialty, region and interest filters work
    the same way within their field; a field equal to the filter ranks first.
    """

    words: tuple[str, ...] = ()
    specialty: str | None = None
    interest: str | None = None
    region: str | None = None
    stage: str | None = None
    mentor: bool | None = None
    exclude_member_id: int | None = None
    limit: int = 10


@dataclass(frozen=True)
class DirectoryHit:
    member: Member
    exact: tuple[str, ...]
    """Fields that matched exactly (ranked first)."""
    words: int
    """How many free-text words matched."""

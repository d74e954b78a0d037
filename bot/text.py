"""Small text helpers that several features share: values as members typed them, and the
profile fields every card shows."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import Profile
from bot.messages import literal
from bot.options import format_duration

PROFILE_FORM_ACTION = "profile.form"
"""The button that opens the profile form (declared by the profile feature, used by others)."""
PROFILE_EXAMPLE = (
    '/rounds profile set role=resident specialty="emergency medicine" timezone=America/Chicago'
)


def shown(value: object) -> str:
    """A parsed value the way a member would type it back: yes/no, 2w, a comma list."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def mentorship(profile: Profile) -> str | None:
    wishes = []
    if profile.open_to_mentor:
        wishes.append("open to mentoring")
    if profile.seeking_mentor:
        wishes.append("looking for a mentor")
    return " and ".join(wishes) or None


def profile_fields(profile: Profile, *, with_zone: bool) -> list[tuple[str, str]]:
    """The key/value lines of a profile or introduction card, member text literal."""
    values: list[tuple[str, object]] = [
        ("Institution", profile.institution),
        ("Region", profile.region),
    ]
    if with_zone:
        values.append(("Time zone", profile.timezone))
    values += [
        ("Interests", profile.interests),
        ("Goals", profile.goals),
        ("Mentorship", mentorship(profile)),
    ]
    return [(label, literal(shown(value))) for label, value in values if value]

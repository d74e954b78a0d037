"""Time zones as members type them: IANA Region/City names (old names normalised to the ones
the tz database uses for people today) and UTC; abbreviations refused with a suggestion."""

from __future__ import annotations

import difflib
import functools
import zoneinfo
from importlib import resources

ABBREVIATIONS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "ast": "America/Halifax",
    "hst": "Pacific/Honolulu",
    "brt": "America/Sao_Paulo",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "wet": "Europe/Lisbon",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "msk": "Europe/Moscow",
    "wat": "Africa/Lagos",
    "cat": "Africa/Harare",
    "eat": "Africa/Nairobi",
    "sast": "Africa/Johannesburg",
    "pkt": "Asia/Karachi",
    "ist": "Asia/Kolkata",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "awst": "Australia/Perth",
    "acst": "Australia/Adelaide",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
}
"""Abbreviations people type, and the Region/City zone to suggest instead: an abbreviation
names no place (IST is India, Ireland or Israel) and no daylight-saving rule."""


def _tz_file(name: str) -> str:
    try:
        return resources.files("tzdata.zoneinfo").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return ""


@functools.cache
def _links() -> dict[str, str]:
    """Old and alias zone names (`Asia/Calcutta`, `US/Eastern`) → the zone they stand for,
    from the tz database's own link lines."""
    links = {}
    for line in _tz_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            links[name] = target
    return links


@functools.cache
def _country_zones() -> frozenset[str]:
    """The zones the tz database lists for people in each country (`zone.tab`): kept as
    typed, even where the database now aliases one to a neighbour (Africa/Accra)."""
    return frozenset(
        line.split("\t")[2]
        for line in _tz_file("zone.tab").splitlines()
        if line and not line.startswith("#")
    )


def _region_city(name: str) -> bool:
    return "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every accepted spelling (lowercased) → its canonical Region/City name, or `UTC`."""
    links, kept = _links(), _country_zones()
    names: dict[str, str] = {}
    for name in zoneinfo.available_timezones():
        target = name
        while target not in kept and target in links:  # an old name: the zone it became
            target = links[target]
        if _region_city(name) and _region_city(target):
            names[name.lower()] = target
    for utc in ("utc", "etc/utc", "etc/uct", "universal", "zulu", "etc/universal", "etc/zulu"):
        names[utc] = "UTC"
    return names


def zone_choices() -> tuple[str, ...]:
    """The canonical zones members choose from (autocomplete)."""
    return tuple(sorted(set(_zone_names().values())))


def find_timezone(raw: str) -> str | None:
    return _zone_names().get(raw.strip().replace(" ", "_").lower())


def timezone_suggestions(raw: str, limit: int = 3) -> list[str]:
    word = raw.strip().replace(" ", "_").lower()
    if word in ABBREVIATIONS:
        return [ABBREVIATIONS[word]]
    links = _links()
    linked = {name.lower(): target for name, target in links.items()}
    if word in linked and _region_city(linked[word]):
        return [linked[word]]  # `Japan` → Asia/Tokyo
    choices = zone_choices()
    cities = {name.rsplit("/", 1)[-1].lower(): name for name in choices}
    close = difflib.get_close_matches(word.rsplit("/", 1)[-1], list(cities), n=limit, cutoff=0.75)
    return [cities[c] for c in close]

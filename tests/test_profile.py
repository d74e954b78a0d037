"""Profiles: set, show, the form, and bad input that leaves nothing half-saved."""

from __future__ import annotations

import pytest

from storage.store import SqlStore
from tests.conftest import Transcript
from tests.helpers import stored_member


async def test_setting_fields_saves_them_and_says_so(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        """
        join alice
        /rounds profile set specialty="emergency medicine" timezone=america/chicago role=Resident
        """
    )
    assert "✓ Saved your profile: specialty = emergency medicine" in out
    alice = await stored_member(store, "alice")
    assert alice is not None
    assert alice.profile.specialty == "emergency medicine"
    assert alice.profile.timezone == "America/Chicago"
    assert alice.profile.profession == "resident"


async def test_the_words_members_use_for_a_role_or_stage_are_understood(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript("join alice\n/rounds profile set role=consultant stage=Registrar")
    assert "✓ Saved your profile: role = physician, stage = trainee." in out
    alice = await stored_member(store, "alice")
    assert alice is not None
    assert (alice.profile.profession, alice.profile.stage) == ("physician", "trainee")


async def test_lists_booleans_and_quiet_hours_are_parsed(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(
        """
        join alice
        /rounds profile set interests="quality improvement, equity, equity" mentor=yes mentee=no
        /rounds profile set quiet=22:00-07:00
        """
    )
    alice = await stored_member(store, "alice")
    assert alice is not None
    assert alice.profile.interests == ("quality improvement", "equity")
    assert alice.profile.open_to_mentor is True
    assert alice.profile.seeking_mentor is False
    assert str(alice.profile.quiet_hours) == "22:00-07:00"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("name=Changed colour=blue", "`colour` isn't something `/rounds profile set` takes"),
        ("name=Changed role=surgeon", "`role` can be one of: student, resident"),
        ("name=Changed timezone=Chicgo", "Did you mean `America/Chicago`"),
        ("name=" + "x" * 81, "`name` is too long (81 characters)"),
        ('name=Changed interests="' + ",".join("abcdefghijk") + '"', "at most 10 items"),
        ('name=Changed interests="' + "x" * 41 + '"', "at most 40 characters"),
        ("name=Changed quiet=late", "`quiet` is a window like 22:00-07:00"),
        ("name=Changed mentor=perhaps", "`mentor` takes yes or no"),
        ('name=Changed specialty="unclosed', "quote isn't closed"),
        ("name=Changed name=Again", "`name` is given twice"),
    ],
)
async def test_bad_input_is_refused_privately_and_nothing_is_saved(
    transcript: Transcript, store: SqlStore, command: str, expected: str
) -> None:
    out = await transcript(
        f"join alice\n/rounds profile set specialty=surgery\n/rounds profile set {command}"
    )
    last = out.split("\n[")[-1]
    assert last.startswith("private @alice]")
    assert expected in last
    assert "Usage: `/rounds profile set " in last  # the field it was about, or all of them
    alice = await stored_member(store, "alice")
    assert alice is not None
    assert (alice.profile.specialty, alice.profile.name) == ("surgery", None)


async def test_hostile_text_cannot_forge_mentions(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript('join alice\n/rounds profile set name="<@bob> <t:0:F>"\n/rounds profile')
    assert "**<@bob> <t:0:F>**" in out  # shown as typed: no mention, no time
    assert "**@bob" not in out


async def test_showing_another_members_profile(transcript: Transcript) -> None:
    out = await transcript(
        """
        join alice
        join bob
        bob: /rounds profile set name="Bob Mensah" specialty=paediatrics institution="Korle Bu"
        alice: /rounds profile @bob
        """
    )
    assert "[private @alice]\n  **Bob Mensah**\n  paediatrics\n  Institution: Korle Bu" in out
    assert "Edit my profile" not in out.split("[private @alice]")[-1]


async def test_unknown_member_profile_is_a_kind_refusal(transcript: Transcript) -> None:
    out = await transcript("join alice\n/rounds profile @nobody")
    assert "I can't find `@nobody` in this community." in out


async def test_form_round_trip_saves_valid_fields(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript(
        """
        join alice
        click "Fill in my profile"
        submit name="Alice Ng" timezone=Africa/Lagos role=nurse
        """
    )
    assert "[form] Your profile" in out
    assert "✓ Saved your profile: name = Alice Ng" in out
    alice = await stored_member(store, "alice")
    assert alice is not None
    assert (alice.profile.name, alice.profile.timezone, alice.profile.profession) == (
        "Alice Ng",
        "Africa/Lagos",
        "nurse",
    )


async def test_form_with_a_bad_field_saves_nothing_and_stays_open(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        """
        join alice
        click "Fill in my profile"
        submit name="Alice Ng" timezone=Atlantis
        submit name="Alice Ng" timezone=Europe/London
        """
    )
    assert "Nothing was saved. `Atlantis` isn't a time zone I know." in out
    alice = await stored_member(store, "alice")
    assert alice is not None and alice.profile.timezone == "Europe/London"


async def test_submit_without_an_open_form_is_explained(transcript: Transcript) -> None:
    out = await transcript("join alice\nsubmit name=x")
    assert "@alice has no form open" in out


async def test_profile_set_alone_opens_the_profile_form(transcript: Transcript) -> None:
    out = await transcript("join alice\n/rounds profile set\nsubmit specialty=oncology")
    assert "[private @alice]\n  [form] Your profile\n  fields: name, role" in out
    assert "✓ Saved your profile: specialty = oncology." in out

"""Requests Slack did not sign, or signed too long ago, get 401 and never reach a listener.

Every case is a real HTTP request to the running service. "Never reached" is checked on both
sides: the fake Slack saw no call at all (Bolt's auth.test, users.info, any answer) and the
database holds no member.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from bot.domain import SpaceKey
from storage.store import SqlStore
from tests.helpers import stored_member
from tests.slack.conftest import FORM, MEMBER, SlackHarness, command_body, event_body
from tests.slack.fake_slack import SIGNING_SECRET, TEAM, signed_headers

SPACE = SpaceKey("slack", TEAM)
Case = Callable[[str], tuple[str, dict[str, str]]]


def flip_last_digit(signature: str) -> str:
    last = signature[-1]
    return signature[:-1] + ("0" if last != "0" else "1")


def wrong_secret(body: str) -> tuple[str, dict[str, str]]:
    return body, signed_headers(body, FORM, secret="not-" + SIGNING_SECRET)


def flipped_digit(body: str) -> tuple[str, dict[str, str]]:
    headers = signed_headers(body, FORM)
    headers["X-Slack-Signature"] = flip_last_digit(headers["X-Slack-Signature"])
    return body, headers


def body_changed_after_signing(body: str) -> tuple[str, dict[str, str]]:
    return body.replace("text=help", "text=config"), signed_headers(body, FORM)


def without(*names: str) -> Case:
    def case(body: str) -> tuple[str, dict[str, str]]:
        headers = signed_headers(body, FORM)
        for name in names:
            del headers[name]
        return body, headers

    return case


def stamped(offset: int) -> Case:
    def case(body: str) -> tuple[str, dict[str, str]]:
        return body, signed_headers(body, FORM, timestamp=int(time.time()) + offset)

    return case


def timestamp_text(text: str) -> Case:
    """Signed correctly over a timestamp that isn't a plain number of seconds."""

    def case(body: str) -> tuple[str, dict[str, str]]:
        return body, signed_headers(body, FORM, timestamp=text)

    return case


def timestamp_swapped(body: str) -> tuple[str, dict[str, str]]:
    headers = signed_headers(body, FORM, timestamp=int(time.time()) - 10)
    headers["X-Slack-Request-Timestamp"] = str(int(time.time()))
    return body, headers


def other_version(body: str) -> tuple[str, dict[str, str]]:
    headers = signed_headers(body, FORM)
    headers["X-Slack-Signature"] = "v1=" + headers["X-Slack-Signature"][3:]
    return body, headers


def empty_signature(body: str) -> tuple[str, dict[str, str]]:
    headers = signed_headers(body, FORM)
    headers["X-Slack-Signature"] = ""
    return body, headers


BAD: dict[str, Case] = {
    "wrong secret": wrong_secret,
    "flipped digit": flipped_digit,
    "body changed after signing": body_changed_after_signing,
    "no signature header": without("X-Slack-Signature"),
    "no timestamp header": without("X-Slack-Request-Timestamp"),
    "no signing headers at all": without("X-Slack-Signature", "X-Slack-Request-Timestamp"),
    # five seconds past the window either way: a whole-second stamp taken at x.9 s and checked
    # a moment later is already a second older than its offset says
    "timestamp 305 s old": stamped(-305),
    "timestamp 305 s ahead": stamped(+305),
    "timestamp an hour old": stamped(-3600),
    "non-numeric timestamp": timestamp_text("yesterday"),
    "fractional timestamp": timestamp_text(f"{int(time.time())}.5"),
    "negative-looking timestamp": timestamp_text(f"-{int(time.time())}"),
    "timestamp changed after signing": timestamp_swapped,
    "signature version other than v0": other_version,
    "empty signature": empty_signature,
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
async def test_a_badly_signed_command_is_rejected_before_any_listener(
    slack: SlackHarness, store: SqlStore, case: Case
) -> None:
    body, headers = case(command_body(slack.fake, "help"))
    answer = await slack.post(body, headers)
    assert answer.status == 401
    assert answer.json() == {"error": "invalid request"}
    assert [c.method for c in slack.fake.calls] == ["auth.test"]  # at start; nothing since
    assert await stored_member(store, MEMBER, SPACE) is None


async def test_a_badly_signed_event_is_rejected_even_when_it_claims_to_be_a_retry(
    slack: SlackHarness, store: SqlStore
) -> None:
    user = {"id": "U0EVE", "team_id": TEAM, "name": "eve", "profile": {}}
    body = json.dumps(event_body({"type": "team_join", "user": user}, "Ev66"))
    headers = signed_headers(body, "application/json", secret="guessed")
    headers["X-Slack-Retry-Num"] = "1"
    assert (await slack.post(body, headers)).status == 401
    assert [c.method for c in slack.fake.calls] == ["auth.test"]  # at start; nothing since
    assert await stored_member(store, "U0EVE", SPACE) is None


@pytest.mark.parametrize("offset", [-295, 0, 295])  # well inside: see the 305 s cases
async def test_a_well_signed_request_within_five_minutes_is_accepted(
    slack: SlackHarness, store: SqlStore, offset: int
) -> None:
    body = command_body(slack.fake, "help")
    stamp = int(time.time()) + offset
    answer = await slack.post(body, signed_headers(body, FORM, timestamp=stamp))
    assert answer.status == 200
    assert answer.json()["text"].startswith("*Rounds: what you can do*")
    assert await stored_member(store, MEMBER, SPACE) is not None

"""The member directory: users.info once per member, kept for a while, and admins are managers."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import Directory, Person
from tests.slack.conftest import ADMIN, MEMBER
from tests.slack.fake_slack import BOT_TOKEN, TEAM, FakeSlack


async def test_answers_are_cached_until_they_expire(fake_slack: FakeSlack) -> None:
    now = [0.0]
    directory = Directory(
        AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url),
        ttl_seconds=600,
        monotonic=lambda: now[0],
    )
    assert await directory.lookup(ADMIN) == Person("amara", True, TEAM)
    assert await directory.lookup(MEMBER) == Person("ben", False, TEAM)
    now[0] = 599.0
    await directory.lookup(ADMIN)
    assert len(fake_slack.called("users.info")) == 2
    now[0] = 601.0
    fake_slack.users[ADMIN]["is_admin"] = False
    assert await directory.lookup(ADMIN) == Person("amara", False, TEAM)  # demoted: noticed in time
    assert len(fake_slack.called("users.info")) == 3


async def test_owners_are_admins_too(fake_slack: FakeSlack) -> None:
    fake_slack.add_user("U0OWNER", "olu", owner=True)
    directory = Directory(AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url))
    assert (await directory.lookup("U0OWNER")).is_admin

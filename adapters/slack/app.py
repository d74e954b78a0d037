"""The Bolt wiring: `/rounds`, button presses, modal submissions, `team_join`, a deactivated
member's `user_change`, and App Home.

Each listener translates the payload (`payloads.py`), asks the core, and renders the outcome
(`render.py`) in a few Slack calls. A command's first reply travels in the HTTP response
itself (ephemeral when private, in the channel when public); further replies go to the
command's `response_url`. Retried Events API deliveries are dropped by their `event_id`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import payloads
from adapters.slack.directory import Directory, Person
from adapters.slack.payloads import Who, space_of
from adapters.slack.platform import SlackPlatform, error_code
from adapters.slack.render import (
    FORM_CALLBACK,
    Origin,
    home_view,
    message_payload,
    modal,
    modal_errors,
)
from bot.context import Actor
from bot.engine import Rounds
from bot.messages import DirectMessage, Form, Message, Outcome, Reply

log = logging.getLogger(__name__)

COMMAND = "/rounds"
REPLY_WITHIN_SECONDS = 2.0  # Slack waits 3 s for the HTTP response; leave room for the trip

Ack = Callable[..., Awaitable[Any]]
Respond = Callable[..., Awaitable[Any]]


def reply_payload(reply: Reply) -> dict[str, Any]:
    return {
        "response_type": "ephemeral" if reply.private else "in_channel",
        **message_payload(reply.message),
    }


class SlackBridge:
    """What the listeners share: the core, the Web API client, the member directory."""

    EVENTS = {
        "team_join": "on_team_join",
        "user_change": "on_user_change",
        "app_home_opened": "on_home_opened",
    }
    """Events API subscriptions and their listeners (the app manifest lists the same)."""

    def __init__(
        self,
        rounds: Rounds,
        client: AsyncWebClient,
        directory: Directory,
        platform: SlackPlatform,
        *,
        reply_within: float = REPLY_WITHIN_SECONDS,
    ) -> None:
        self.rounds = rounds
        self.client = client
        self.directory = directory
        self.platform = platform
        self.reply_within = reply_within

    async def actor(self, who: Who) -> Actor:
        person = await self.directory.lookup(who.user_id)
        return Actor(
            space=space_of(who.team_id),
            user_id=who.user_id,
            display_name=person.name or who.name,
            is_platform_admin=person.is_admin,
            channel_id=who.channel_id,
        )

    # -- /rounds -----------------------------------------------------------------------------
    async def on_command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        command = payloads.slash_command(body)
        actor = await self.actor(command.who)
        declared = self.rounds.router.guess(command.text)
        work = asyncio.ensure_future(self.rounds.command(actor, command.text))
        outcome: Outcome | None = None
        if declared is None or not declared.slow:
            try:
                outcome = await asyncio.wait_for(asyncio.shield(work), self.reply_within)
            except TimeoutError:
                log.warning("command took over %.1fs; answering later", self.reply_within)
        if outcome is None:
            await ack()
            outcome = await work
            await self.answer(command.who, outcome.replies, respond)
        elif outcome.replies:
            first = outcome.replies[0]
            await ack(**reply_payload(first))
            await self.attachment(command.who, first)
            await self.answer(command.who, outcome.replies[1:], respond)
        else:
            await ack()
        if outcome.form is not None:
            trigger, url = command.trigger_id, command.response_url
            await self.open_form(outcome.form, trigger, command.who, url)

    async def answer(self, who: Who, replies: list[Reply], respond: Respond | None) -> None:
        """Replies through the response URL, or as DMs where there is none (App Home)."""
        for reply in replies:
            if respond is None:
                await self.direct(who, reply.message)
                continue
            await self._safely("respond", respond(replace_original=False, **reply_payload(reply)))
            await self.attachment(who, reply)

    async def attachment(self, who: Who, reply: Reply) -> None:
        """Ephemeral replies can't carry files: a private reply's file comes in a DM, a public
        one's is uploaded to the channel."""
        attachment = reply.message.attachment
        if attachment is None:
            return
        if reply.private or who.channel_id is None:
            await self.direct(who, reply.message)
        else:
            await self._safely("upload", self.platform.upload(who.channel_id, attachment, None))

    async def direct(self, who: Who, message: Message) -> None:
        await self._safely(
            "dm", self.platform.send(space_of(who.team_id), DirectMessage(who.user_id), message)
        )

    async def open_form(
        self,
        form: Form,
        trigger_id: str | None,
        who: Who,
        response_url: str | None,
        *,
        home: bool = False,
    ) -> None:
        if trigger_id is None:
            log.warning("form %s without a trigger id; cannot open it", form.form_id)
            return
        view = modal(form, Origin(who.channel_id, response_url, home))
        await self._safely("views.open", self.client.views_open(trigger_id=trigger_id, view=view))

    # -- buttons -----------------------------------------------------------------------------
    async def on_button(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        press = payloads.button_press(body)
        if press is None:
            return
        actor = await self.actor(press.who)
        outcome = await self.rounds.action(actor, press.action_id, press.value)
        if outcome.form is not None:  # first: the trigger id expires after 3 s
            await self.open_form(
                outcome.form, press.trigger_id, press.who, press.response_url, home=press.on_home
            )
        has_url = press.response_url is not None
        if outcome.updated is not None and has_url:
            update = message_payload(outcome.updated)
            await self._safely("respond", respond(replace_original=True, **update))
        await self.answer(press.who, outcome.replies, respond if has_url else None)
        if press.on_home:
            await self.publish_home(actor)

    # -- modals ------------------------------------------------------------------------------
    async def on_submit(self, ack: Ack, body: dict[str, Any]) -> None:
        submission = payloads.form_submission(body)
        actor = await self.actor(submission.who)
        outcome = await self.rounds.submit(
            actor, submission.form_id, submission.values, submission.context
        )
        if outcome.field_errors:
            errors = modal_errors(outcome.field_errors, submission.field_names)
            await ack(response_action="errors", errors=errors)
            return
        if outcome.form is not None:
            view = modal(outcome.form, submission.origin)
            await ack(response_action="update", view=view)
        else:
            await ack()
        url = submission.origin.response_url
        respond = AsyncRespond(response_url=url) if url else None
        await self.answer(submission.who, outcome.replies, respond)
        if submission.origin.home:
            await self.publish_home(actor)

    # -- events ------------------------------------------------------------------------------
    async def on_team_join(self, body: dict[str, Any]) -> None:
        joined = payloads.joined(body)
        if joined is None:
            return
        self.directory.remember(joined.who.user_id, Person(joined.who.name, joined.is_admin))
        actor = await self.actor(joined.who)
        try:
            await self.rounds.member_joined(actor)
        except Exception:  # the core logged it with ids; Slack needs nothing back
            return

    async def on_user_change(self, body: dict[str, Any]) -> None:
        who = payloads.left(body)
        if who is None:
            return
        try:  # no users.info: the event says who left, and an admin flag no longer matters
            await self.rounds.member_left(Actor(space_of(who.team_id), who.user_id, who.name))
        except Exception:  # the core logged it with ids; Slack needs nothing back
            return

    async def on_home_opened(self, body: dict[str, Any]) -> None:
        who = payloads.home_opened(body)
        if who is not None:
            await self.publish_home(await self.actor(who))

    async def publish_home(self, actor: Actor) -> None:
        messages = await self.rounds.home(actor)
        await self._safely(
            "views.publish",
            self.client.views_publish(user_id=actor.user_id, view=home_view(messages)),
        )

    async def dedupe(self, body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> Any:
        key = payloads.event_key(body)
        if key is not None and not await self.rounds.first_time(space_of(key[0]), key[1]):
            log.info("event %s was already handled; Slack retried it", key[1])
            return BoltResponse(status=200, body="")
        await next()
        return None

    @staticmethod
    async def _safely(what: str, call: Awaitable[Any]) -> None:
        """A failed answer is logged (ids and Slack's error code only) and not retried."""
        try:
            await call
        except SlackApiError as error:
            log.warning("%s failed: %s", what, error_code(error))
        except Exception as error:
            log.warning("%s failed: %s", what, type(error).__name__)


def build_app(bridge: SlackBridge, signing_secret: str) -> AsyncApp:
    """An `AsyncApp` whose listeners hand everything to the core through the bridge."""
    app = AsyncApp(
        client=bridge.client,
        signing_secret=signing_secret,
        name="rounds",
        request_verification_enabled=bool(signing_secret),
    )
    app.use(bridge.dedupe)
    app.command(COMMAND)(bridge.on_command)
    app.action(re.compile(r".+"))(bridge.on_button)
    app.view(FORM_CALLBACK)(bridge.on_submit)
    for event, listener in SlackBridge.EVENTS.items():
        app.event(event)(getattr(bridge, listener))
    return app

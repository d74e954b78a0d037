"""The Bolt wiring: `/rounds`, button presses, modal submissions, `team_join`, a deactivated
member's `user_change` and App Home, each translated (`payloads.py`), handed to the core and
rendered (`render.py`); only members of the installed workspace reach the core
(`SlackBridge.gate`, `SlackBridge.actor`)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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
from bot.errors import StoreBusy
from bot.messages import DirectMessage, Form, Message, Outcome, Reply
from bot.serving import InFlight

log = logging.getLogger(__name__)

COMMAND = "/rounds"
REPLY_WITHIN_SECONDS = 2.0  # Slack waits 3 s for the HTTP response; leave room for the trip
OUTSIDER = (
    "Rounds serves the members of the {workspace} workspace, so it can't do this for you. "
    "Nothing was saved."
)
RESTARTING = "Rounds is restarting and didn't take that. Please try again in a minute."
"""The answer to a command that comes while Rounds is stopping or not yet connected."""

Ack = Callable[..., Awaitable[Any]]
Respond = Callable[..., Awaitable[Any]]


def reply_payload(reply: Reply) -> dict[str, Any]:
    return {
        "response_type": "ephemeral" if reply.private else "in_channel",
        **message_payload(reply.message),
    }


@dataclass(frozen=True)
class Workspace:
    """The one workspace this bot token is installed in (from `auth.test`)."""

    team_id: str
    name: str = ""


class Outsider(Exception):
    """The member belongs to another organisation (a Slack Connect guest), or the workspace
    isn't known yet."""


def notice_view(text: str) -> dict[str, Any]:
    """A modal that only says something (the answer to a submission Rounds won't take)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Rounds"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def json_response(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(payload), headers={"content-type": "application/json"}
    )


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
        in_flight: InFlight | None = None,
    ) -> None:
        self.rounds = rounds
        self.client = client
        self.directory = directory
        self.platform = platform
        self.reply_within = reply_within
        self.in_flight = in_flight or InFlight()
        self.workspace: Workspace | None = None
        self.draining = False
        """Stopping: new commands are answered "restarting", other new requests refused."""

    async def actor(self, who: Who) -> Actor:
        """The member as the core sees them, always in the installed workspace's space.

        Raises `Outsider` for a member of another organisation, judged by what the payload
        says and by what `users.info` says, before anything is stored for them.
        """
        workspace = self.workspace
        if workspace is None or {who.team_id, who.user_team} - {"", workspace.team_id}:
            raise Outsider(who.user_team or who.team_id)
        person = await self.directory.lookup(who.user_id)
        if person.team_id and person.team_id != workspace.team_id:
            raise Outsider(person.team_id)
        return Actor(
            space=space_of(workspace.team_id),
            user_id=who.user_id,
            display_name=person.name or who.name,
            is_platform_admin=person.is_admin,
            channel_id=who.channel_id,
        )

    def outsider_text(self, who: Who, team: str) -> str:
        log.info("refused user %s of team %s: not the installed workspace", who.user_id, team)
        name = self.workspace.name if self.workspace is not None else ""
        return OUTSIDER.format(workspace=name or "installed")

    # -- /rounds -----------------------------------------------------------------------------
    async def on_command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        with self.in_flight:
            await self._command(ack, body, respond)

    async def _command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        command = payloads.slash_command(body)
        try:
            actor = await self.actor(command.who)
        except Outsider as outsider:
            text = self.outsider_text(command.who, str(outsider))
            await ack(response_type="ephemeral", text=text)
            return
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
        with self.in_flight:
            await self._button(ack, body, respond)

    async def _button(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        press = payloads.button_press(body)
        if press is None:
            return
        try:
            actor = await self.actor(press.who)
        except Outsider as outsider:
            if press.response_url is not None:
                text = self.outsider_text(press.who, str(outsider))
                reply = respond(replace_original=False, response_type="ephemeral", text=text)
                await self._safely("respond", reply)
            return
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
        with self.in_flight:
            await self._submit(ack, body)

    async def _submit(self, ack: Ack, body: dict[str, Any]) -> None:
        submission = payloads.form_submission(body)
        try:
            actor = await self.actor(submission.who)
        except Outsider as outsider:
            text = self.outsider_text(submission.who, str(outsider))
            await ack(response_action="update", view=notice_view(text))
            return
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
        with self.in_flight:
            joined = payloads.joined(body)
            if joined is None:
                return
            who = joined.who
            person = Person(who.name, joined.is_admin, who.user_team or who.team_id)
            self.directory.remember(who.user_id, person)
            try:
                await self.rounds.member_joined(await self.actor(who))
            except Outsider:
                log.info("ignored team_join of user %s of another team", who.user_id)
            except Exception:  # the core logged it with ids; Slack needs nothing back
                return

    async def on_user_change(self, body: dict[str, Any]) -> None:
        with self.in_flight:
            who = payloads.left(body)
            workspace = self.workspace
            if who is None or workspace is None:
                return
            if {who.team_id, who.user_team} - {"", workspace.team_id}:
                log.info("ignored user_change of user %s of another team", who.user_id)
                return
            # no users.info: the event says who left, and an admin flag no longer matters
            actor = Actor(space_of(workspace.team_id), who.user_id, who.name)
            try:
                await self.rounds.member_left(actor)
            except Exception:  # the core logged it with ids; Slack needs nothing back
                return

    async def on_home_opened(self, body: dict[str, Any]) -> None:
        with self.in_flight:
            who = payloads.home_opened(body)
            if who is None:
                return
            try:
                actor = await self.actor(who)
            except Outsider:
                log.info("ignored app_home_opened of user %s of another team", who.user_id)
                return
            await self.publish_home(actor)

    async def publish_home(self, actor: Actor) -> None:
        messages = await self.rounds.home(actor)
        await self._safely(
            "views.publish",
            self.client.views_publish(user_id=actor.user_id, view=home_view(messages)),
        )

    async def gate(self, body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> Any:
        """Runs before every listener: refuses new work while stopping, and lets through only
        the events Rounds handles, about the installed workspace, seen for the first time."""
        if self.draining or self.workspace is None:  # stopping, or not connected yet
            if body.get("command"):
                return json_response({"response_type": "ephemeral", "text": RESTARTING})
            return BoltResponse(status=503, body="")  # Slack retries events; presses fail
        kind = payloads.event_type(body)
        if kind is not None:
            dropped = await self._dropped(body, kind)
            if dropped is not None:
                return dropped
        await next()
        return None

    async def _dropped(self, body: dict[str, Any], kind: str) -> BoltResponse | None:
        """An event envelope's answer when it goes no further (nothing recorded), else None."""
        if kind not in self.EVENTS:
            log.debug("ignored a %s event: Rounds does not handle it", kind)
            return BoltResponse(status=200, body="")
        team = payloads.envelope_team(body)
        if self.workspace is None or team != self.workspace.team_id:
            log.info("ignored a %s event about team %s: not the installed workspace", kind, team)
            return BoltResponse(status=200, body="")
        key = payloads.event_key(body)
        try:
            first = key is None or await self.rounds.first_time(space_of(team), key[1])
        except StoreBusy:
            log.warning("event %s not taken: the database is busy or away", key)
            return BoltResponse(status=503, body="")  # Slack sends it again later
        if not first:
            log.info("event %s was already handled; Slack retried it", key[1] if key else "")
            return BoltResponse(status=200, body="")
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
    app.use(bridge.gate)
    app.command(COMMAND)(bridge.on_command)
    app.action(re.compile(r".+"))(bridge.on_button)
    app.view(FORM_CALLBACK)(bridge.on_submit)
    for event, listener in SlackBridge.EVENTS.items():
        app.event(event)(getattr(bridge, listener))
    return app

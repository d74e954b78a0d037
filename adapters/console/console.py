"""The console adapter: a platform that prints, and the transcript interpreter (ARCHITECTURE §7).

Instructions: `clock`, `join`, `leave`, `as`, `/rounds …`, `name: /rounds …`, `click "Label"`,
`submit key=value …`, `advance 3d`; `#` comments and blank lines are skipped. After every
instruction the work due at the current virtual time runs, so output is the same on every run.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

from adapters.console.render import block, body_lines, example, form_lines, render_time
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from bot.engine import Rounds
from bot.errors import DeliveryError, UserError
from bot.messages import (
    Button,
    ChannelPost,
    DirectMessage,
    Form,
    Message,
    Outcome,
    Target,
    literal,
)
from bot.options import parse_datetime, parse_duration
from bot.runtime import Runtime
from bot.textparse import tokenize

log = logging.getLogger(__name__)

SPACE = SpaceKey("console", "console")
NAME_RE = re.compile(r"^[\w.-]{1,40}$")  # any script: 李, Ngozi, josé
PREFIXED_RE = re.compile(r"^([\w.-]{1,40}):\s+(\S.*)$")
MAX_ADVANCE_STEPS = 100_000
CLOCK_SETTING = "console.clock"
"""Where the console keeps its community's virtual time between sessions."""

INSTRUCTIONS = (
    "Instructions: join NAME · leave NAME · as NAME · /rounds … · NAME: /rounds … · "
    'click "Label" · submit field=value … · advance 3d · clock 2026-03-02 09:00 UTC'
)


@dataclass
class Shown:
    """One bot output, remembered so that `click` can find its buttons."""

    header: str
    audience: str | None  # the one member who sees it, or None for everyone
    message: Message


@dataclass
class ConsoleState:
    outputs: list[Shown] = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)


class ConsolePlatform:
    """Proactive sends print straight away; each gets a small numeric reference."""

    name = "console"
    group_dms = False

    def __init__(self, console: Console) -> None:
        self.console = console
        self._refs = 0
        self._posts: dict[str, tuple[str, str | None]] = {}

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        self._refs += 1
        if isinstance(target, DirectMessage):
            header, audience = f"[dm @{target.user_id}]", target.user_id
        elif isinstance(target, ChannelPost):
            thread = f" thread {target.thread_ref}" if target.thread_ref else ""
            header, audience = f"[#{target.channel_id}{thread}]", None
        else:
            raise DeliveryError("the console has no group DMs", permanent=True)
        await self.console.show(header, audience, message)
        ref = str(self._refs)
        self._posts[ref] = (header, audience)
        return ref

    async def edit(self, space: SpaceKey, ref: str, message: Message) -> None:
        if ref not in self._posts:
            raise DeliveryError(f"no post {ref} to edit", permanent=True)
        header, audience = self._posts[ref]
        await self.console.show(f"{header} (updated)", audience, message)

    async def person(self, space: SpaceKey, user_id: str) -> str | None:
        """In the console, only those who joined exist (and they are members already)."""
        return None


class Console:
    def __init__(self, clock: ManualClock, out: TextIO = sys.stdout) -> None:
        self.clock = clock
        self.out = out
        self.state = ConsoleState()
        self.current: str | None = None
        self.rounds: Rounds | None = None
        self.runtime: Runtime | None = None
        self._kept_clock = clock.now()

    def attach(self, rounds: Rounds, runtime: Runtime) -> None:
        self.rounds, self.runtime = rounds, runtime

    # -- output ------------------------------------------------------------------------------
    async def show(self, header: str, audience: str | None, message: Message) -> None:
        assert self.rounds is not None
        zone = await self.rounds.timezone_of(SPACE, audience) if audience else None
        self.print(block(header, body_lines(message, zone, self.clock.now())))
        self.state.outputs.append(Shown(header, audience, message))

    def print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def note(self, text: str) -> None:
        self.print(block("[console]", text.split("\n")))

    async def show_outcome(self, user: str, outcome: Outcome, pressed: Shown | None = None) -> None:
        for reply in outcome.replies:
            kind = "private" if reply.private else "reply"
            await self.show(f"[{kind} @{user}]", user if reply.private else None, reply.message)
        if outcome.updated is not None and pressed is not None:
            await self.show(f"{pressed.header} (updated)", pressed.audience, outcome.updated)
        if outcome.form is not None:
            self.state.forms[user] = outcome.form
            self.print(block(f"[private @{user}]", form_lines(outcome.form)))

    # -- input -------------------------------------------------------------------------------
    async def run_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            await self.execute(line)

    async def execute(self, line: str) -> None:
        line = line.strip()
        if not line or line.startswith("#"):
            return
        try:
            await self._dispatch(line)
        except UserError as error:
            self.note(error.message)
        assert self.runtime is not None
        await self.runtime.run_due()
        if self.clock.now() != self._kept_clock:
            await self._keep_clock()

    async def resume_clock(self) -> None:
        """Go on at the community's own virtual time (kept in its database), when an earlier
        session advanced it past today: its plans were made for that time."""
        assert self.runtime is not None
        async with self.runtime.store.transaction() as tx:
            space = await tx.spaces.get_or_create(SPACE, "Console")
            saved = (await tx.settings.all(space.id)).get(CLOCK_SETTING)
        moment = datetime.fromisoformat(saved) if saved else None
        if moment is not None and moment > self.clock.now():
            self.clock.set(moment)
            self.note(
                f"This community's clock is at {render_time(moment, 'F', None, moment)} "
                "(virtual time, kept from your last session). `clock …` sets another."
            )
        self._kept_clock = self.clock.now()

    async def _keep_clock(self) -> None:
        assert self.runtime is not None
        async with self.runtime.store.transaction() as tx:
            space = await tx.spaces.get_or_create(SPACE, "Console")
            await tx.settings.put(space.id, CLOCK_SETTING, self.clock.now().isoformat())
        self._kept_clock = self.clock.now()

    async def _dispatch(self, line: str, user: str | None = None) -> None:
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if line.startswith("/"):
            await self._command(user or self._need_current(), line)
        elif word == "clock":
            self._set_clock(rest)
        elif word == "join":
            await self._join(rest)
        elif word == "leave":
            await self._leave(rest)
        elif word == "as":
            self.current = self._name(rest)
        elif word == "click":
            await self._click(user or self._need_current(), rest)
        elif word == "submit":
            await self._submit(user or self._need_current(), rest)
        elif word == "advance":
            await self._advance(rest)
        elif user is None and (prefixed := PREFIXED_RE.match(line)):
            await self._dispatch(prefixed.group(2), self._name(prefixed.group(1)))
        else:
            raise UserError(f"I don't understand `{line[:80]}`.\n{INSTRUCTIONS}")

    def _actor(self, user: str) -> Actor:
        return Actor(SPACE, user, display_name=user, channel_id="general", space_name="Console")

    def _name(self, text: str) -> str:
        name = text.strip().lstrip("@")
        if not NAME_RE.match(name):
            raise UserError(f"`{text}` isn't a usable name: use letters, digits, `.`, `_` or `-`.")
        return name

    def _need_current(self) -> str:
        if self.current is None:
            raise UserError("Nobody is typing yet. Start with `join yourname` (or `as yourname`).")
        return self.current

    async def _command(self, user: str, text: str) -> None:
        assert self.rounds is not None
        await self.show_outcome(user, await self.rounds.command(self._actor(user), text))

    async def _join(self, text: str) -> None:
        user = self._name(text)
        assert self.rounds is not None
        if not await self.rounds.member_joined(self._actor(user), manager_if_first=True):
            self.note(f"@{user} has already joined. Type as them with `as {user}`.")
        if self.current is None:
            self.current = user

    async def _leave(self, text: str) -> None:
        user = self._name(text)
        assert self.rounds is not None
        await self.rounds.member_left(self._actor(user))
        if self.current == user:
            self.current = None

    def _find_button(self, user: str, label: str) -> tuple[Shown, Button]:
        wanted = label.strip().strip("\"“”'").casefold()
        for shown in reversed(self.state.outputs):
            if shown.audience not in (None, user):
                continue
            for button in shown.message.buttons:
                if button.label.casefold() == wanted:
                    return shown, button
        raise UserError(f'@{user} has no button labelled "{label.strip(chr(34))}" on screen.')

    async def _click(self, user: str, label: str) -> None:
        shown, button = self._find_button(user, label)
        assert self.rounds is not None
        outcome = await self.rounds.action(self._actor(user), button.action_id, button.value)
        await self.show_outcome(user, outcome, pressed=shown)

    async def _submit(self, user: str, text: str) -> None:
        form = self.state.forms.get(user)
        if form is None:
            raise UserError(f"@{user} has no form open. Open one first (a button or a command).")
        values: dict[str, str] = {}
        for token in tokenize(text):
            if token.key is None:
                raise UserError(
                    f"Give each field as name=value (not `{literal(token.value)}`), "
                    f"e.g. `submit {example(form)}`."
                )
            values[token.key] = token.value
        known = {f.name for f in form.fields}
        unknown = sorted(set(values) - known)
        if unknown:
            raise UserError(
                f"The form “{form.title}” has no field `{unknown[0]}`. "
                f"Fields: {', '.join(sorted(known))}."
            )
        assert self.rounds is not None
        outcome = await self.rounds.submit(self._actor(user), form.form_id, values, form.context)
        if not outcome.refused and outcome.form is None:  # a refused form stays open to fix
            self.state.forms.pop(user, None)
        await self.show_outcome(user, outcome)

    def _set_clock(self, text: str) -> None:
        moment = parse_datetime(text, "UTC")
        if moment is None:
            raise UserError(f"`clock` takes a moment like 2026-03-02 09:00 UTC, not `{text}`.")
        self.clock.set(moment)
        assert self.runtime is not None
        self.runtime.reset_schedule()

    async def _advance(self, text: str) -> None:
        """Move the clock, running each piece of due work at its own moment, in order."""
        step = parse_duration(text)
        if step is None or step <= timedelta():
            raise UserError(
                f"`advance` takes a length of time like 30m, 4h, 3d or 2w, not `{text}`."
            )
        assert self.runtime is not None
        target = self.clock.now() + step
        last_step: datetime | None = None
        for _ in range(MAX_ADVANCE_STEPS):
            upcoming = [
                moment
                for moment in (
                    await self.runtime.store.deliveries.next_due_at(),
                    await self.runtime.next_job_at(),
                )
                if moment is not None and moment <= target
            ]
            if not upcoming:
                break
            moment = max(min(upcoming), self.clock.now())
            if moment == last_step:  # nothing could be done at this moment: move on
                moment += timedelta(minutes=1)
                if moment > target:
                    break
            self.clock.set(moment)
            last_step = moment
            await self.runtime.run_due(every_job=True)
        self.clock.set(target)

"""The router: every command, action, form, job and setting that features declare.

Features call `register(router)`; nothing is registered by import side effects. The router
resolves the text form to a command and binds raw values to its typed options; platforms with
typed commands (Discord) build their schema from `router.commands` and call `bind` directly.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain import Role
from bot.errors import UserError
from bot.messages import literal
from bot.options import Converter, Option, OptionKind, ParseContext
from bot.textparse import Token, tokenize

if TYPE_CHECKING:
    from bot.context import Context, JobContext
    from bot.dashboard import BoardFigure, BoardPage
    from bot.digest import SectionMaker, Trend
    from bot.memberdata import MemberData
    from bot.messages import Message
    from bot.web import WebRoute

TOP = "/rounds"

Handler = Callable[["Context", Mapping[str, Any]], Awaitable[None]]
ActionHandler = Callable[["Context", str], Awaitable[None]]
FormHandler = Callable[["Context", Mapping[str, str], str], Awaitable[None]]
JoinHandler = Callable[["Context"], Awaitable[None]]
LeaveHandler = Callable[["Context"], Awaitable[None]]
JobRunner = Callable[["JobContext"], Awaitable[None]]
HomeSection = Callable[["Context"], Awaitable["Message | None"]]
NextDue = Callable[["JobContext"], Awaitable["datetime | None"]]


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    summary: str
    handler: Handler
    options: tuple[Option, ...] = ()
    role: Role = Role.MEMBER
    examples: tuple[str, ...] = ()
    slow: bool = False
    shown_if: Callable[[Mapping[str, str]], bool] | None = None
    """When set, help lists the command to members only where it holds for the space's
    settings (`event create` while `events.creators=managers`); managers always see it."""

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def usage(self) -> str:
        parts = [TOP, *self.path]
        keywords = [o for o in self.options if not o.positional]
        if len(keywords) > 4:  # a long list of optional fields reads better as one pattern
            positional = [o for o in self.options if o.positional]
            parts += [
                o.hint if o.kind in (OptionKind.MEMBER, OptionKind.CHANNEL) else f"<{o.hint}>"
                for o in positional
            ]
            return " ".join(parts) + " field=value …"
        for option in self.options:
            if option.positional and option.kind in (OptionKind.MEMBER, OptionKind.CHANNEL):
                shown = option.hint  # `<#…>` and `<@…>` would read as channel and member tokens
            elif option.positional:
                shown = f"<{option.name}>" if option.greedy else f"<{option.hint}>"
            else:
                shown = f"{option.name}=<{option.hint}>"
            parts.append(shown if option.required else f"[{shown}]")
        return " ".join(parts)

    def usage_for(self, field: str | None) -> str:
        """The usage line, or where it lists many fields as `field=value …`, the usage of the
        one field a mistake was about."""
        option = self.option(field) if field else None
        if option is None or option.positional or not self.usage.endswith("field=value …"):
            return self.usage
        return f"{TOP} {self.name} {option.name}=<{option.hint}>"

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


@dataclass(frozen=True)
class Setting:
    """A programme setting managers change with `/rounds config set key=value`."""

    key: str
    kind: OptionKind
    default: str
    description: str
    choices: tuple[str, ...] = ()
    convert: Converter | None = None
    hint: str = ""
    """The value's shape in usage lines (default: from the kind), e.g. `1w-8w`."""
    rule: str = ""
    """What the value may be, in words: usage, examples and every refusal say the same."""
    example: str = ""

    def as_option(self) -> Option:
        return Option(
            self.key,
            self.kind,
            self.description,
            choices=self.choices,
            convert=self.convert,
            shown_hint=self.hint,
            shown_example=self.example,
            rule=self.rule,
        )


@dataclass(frozen=True)
class Channel:
    """A channel a programme posts to, chosen by managers with `/rounds config channel`."""

    name: str
    purpose: str
    example: str = ""
    """A channel name to suggest (default: the programme's name)."""


@dataclass(frozen=True)
class Job:
    """Scheduled work that plans deliveries from domain state. It must be safe to run again.

    `next_due`, when given, says from domain state when the job will next have something to do
    (None: nothing until something changes); the running bot still ticks `every`.
    """

    name: str
    every: timedelta
    run: JobRunner
    next_due: NextDue | None = None


@dataclass
class Router:
    commands: dict[tuple[str, ...], Command] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    forms: dict[str, FormHandler] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    settings: dict[str, Setting] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    join_handlers: list[JoinHandler] = field(default_factory=list)
    leave_handlers: list[LeaveHandler] = field(default_factory=list)
    return_handlers: list[JoinHandler] = field(default_factory=list)
    home_sections: list[HomeSection] = field(default_factory=list)
    digest_sections: list[SectionMaker] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    member_data_hooks: list[MemberData] = field(default_factory=list)
    web_routes: list[WebRoute] = field(default_factory=list)
    board_pages: list[BoardPage] = field(default_factory=list)
    board_figures: list[BoardFigure] = field(default_factory=list)
    sections: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Each command's heading in help ("Mentorship"), from the section it was declared in."""
    _section: str = ""

    # -- declaration -------------------------------------------------------------------------
    @contextmanager
    def section(self, heading: str) -> Iterator[None]:
        """Commands declared inside are listed under `heading` in help."""
        before, self._section = self._section, heading
        try:
            yield
        finally:
            self._section = before

    def command(self, command: Command) -> None:
        if command.path in self.commands:
            raise ValueError(f"command {command.name!r} declared twice")
        positional = [o for o in command.options if o.positional]
        if any(o.greedy for o in positional[:-1]):
            raise ValueError(f"{command.name}: only the last positional option may be greedy")
        self.commands[command.path] = command
        self.sections[command.path] = self._section

    def action(self, action_id: str, handler: ActionHandler) -> None:
        if action_id in self.actions:
            raise ValueError(f"action {action_id!r} declared twice")
        self.actions[action_id] = handler

    def form(self, form_id: str, handler: FormHandler) -> None:
        self.forms[form_id] = handler

    def job(self, job: Job) -> None:
        self.jobs.append(job)

    def setting(self, setting: Setting) -> None:
        self.settings[setting.key] = setting

    def channel(self, channel: Channel) -> None:
        if channel.name in self.channels:
            raise ValueError(f"channel {channel.name!r} declared twice")
        self.channels[channel.name] = channel

    def effective(self, stored: Mapping[str, str]) -> dict[str, str]:
        """A space's settings: declared defaults, overridden by what managers stored."""
        return {**{key: s.default for key, s in self.settings.items()}, **stored}

    def on_member_joined(self, handler: JoinHandler) -> None:
        self.join_handlers.append(handler)

    def on_member_left(self, handler: LeaveHandler) -> None:
        """`handler` runs when a member leaves the space (the context is the leaving member)."""
        self.leave_handlers.append(handler)

    def on_member_returned(self, handler: JoinHandler) -> None:
        """`handler` runs when someone Rounds already knew joins the space again (after they
        left; the platform may also report a join of someone who used Rounds first)."""
        self.return_handlers.append(handler)

    def home_section(self, section: HomeSection) -> None:
        self.home_sections.append(section)

    def digest_section(self, section: SectionMaker) -> None:
        """A programme's part of the managers' weekly digest (left out when it returns None)."""
        self.digest_sections.append(section)

    def trend(self, trend: Trend) -> None:
        """A series of the weekly chart (the digest's and `/rounds stats`')."""
        self.trends.append(trend)

    def member_data(self, data: MemberData) -> None:
        """How a programme exports and erases what it stores about a member."""
        if any(d.name == data.name for d in self.member_data_hooks):
            raise ValueError(f"member data {data.name!r} declared twice")
        self.member_data_hooks.append(data)

    def web(self, route: WebRoute) -> None:
        """An HTTP route on Rounds' web server (every `rounds` process runs one)."""
        if any((r.method, r.path) == (route.method, route.path) for r in self.web_routes):
            raise ValueError(f"web route {route.method} {route.path} declared twice")
        self.web_routes.append(route)

    def board_page(self, page: BoardPage) -> None:
        """A page of the managers' web dashboard (`bot/dashboard.py`)."""
        if any(p.slug == page.slug for p in self.board_pages):
            raise ValueError(f"dashboard page {page.slug!r} declared twice")
        self.board_pages.append(page)

    def board_figure(self, figure: BoardFigure) -> None:
        """A number on the dashboard's overview, beside the members' totals."""
        self.board_figures.append(figure)

    # -- resolution --------------------------------------------------------------------------
    def resolve(self, text: str) -> tuple[Command, list[Token]]:
        """Find the command named by the leading words of `text` (without `/rounds`)."""
        tokens = tokenize(text)
        words: list[str] = []
        for token in tokens:
            if token.key is not None or token.quoted:
                break
            words.append(token.value.lower())
        for length in range(len(words), 0, -1):
            command = self.commands.get(tuple(words[:length]))
            if command:
                return command, tokens[length:]
        if not tokens:
            help_command = self.commands.get(("help",))
            if help_command:
                return help_command, []
        raise UserError(self._unknown(words))

    def guess(self, text: str) -> Command | None:
        """The command that text's leading plain words name, even when the rest is malformed."""
        words = []
        for word in text.split():
            if "=" in word or word[:1] in "\"'“‘":
                break
            words.append(word.lower())
        for length in range(len(words), 0, -1):
            command = self.commands.get(tuple(words[:length]))
            if command:
                return command
        return None

    def _unknown(self, words: Sequence[str]) -> str:
        typed = " ".join(words) or "that"
        for length in range(len(words), 0, -1):
            group = tuple(words[:length])
            following = [
                path[length]
                for path in self.commands
                if path[:length] == group and len(path) > length
            ]
            if following:
                shown_group = literal(" ".join(group))
                said = f"`{TOP} {shown_group}` needs one more word"
                if length < len(words):
                    close = difflib.get_close_matches(words[length], following, n=1, cutoff=0.6)
                    meant = f" Did you mean `{TOP} {shown_group} {close[0]}`?" if close else ""
                    said = (
                        f"I don't know `{TOP} {literal(typed)}`.{meant} `{TOP} {shown_group}` takes"
                    )
                choices = ", ".join(f"`{word}`" for word in dict.fromkeys(following))
                return f"{said}: {choices}. Type `{TOP} help {shown_group}` to see what each does."
        names = [c.name for c in self.commands.values()]
        close = difflib.get_close_matches(" ".join(words[:2]), names, n=2, cutoff=0.6)
        maybe = " Did you mean " + " or ".join(f"`{TOP} {c}`" for c in close) + "?" if close else ""
        shown = literal(typed)
        return f"I don't know `{TOP} {shown}`.{maybe} Type `{TOP} help` to see what you can do."

    def bind_tokens(self, command: Command, tokens: Sequence[Token]) -> dict[str, str]:
        """Assign positional words and `key=value` pairs to option names, still as raw text."""
        raw: dict[str, str] = {}
        positional = [o for o in command.options if o.positional]
        for token in tokens:
            if token.key is None:
                continue
            option = command.option(token.key)
            if option is None:
                raise UserError(self._unknown_key(command, token.key), field=token.key)
            if token.key in raw:
                raise UserError(f"`{token.key}` is given twice; give it once.", field=token.key)
            raw[token.key] = token.value
        slots = [o for o in positional if o.name not in raw]
        for index, token in enumerate(tokens):
            if token.key is not None:
                continue
            previous = tokens[index - 1] if index else None
            continues = previous is not None and previous.key is not None and not previous.quoted
            if not slots or continues:
                message, field = self._unexpected(command, tokens, index)
                if slots and continues:
                    message += (
                        f" If `{literal(token.value)}` is the {slots[0].name} instead, put it "
                        f"first: `{TOP} {command.name} {literal(token.value)} …`."
                    )
                raise UserError(message, field=field or None)
            option = slots.pop(0)
            if option.greedy:
                raw[option.name] = " ".join(t.value for t in tokens[index:] if t.key is None)
                break
            raw[option.name] = token.value
        return raw

    @staticmethod
    def _unexpected(command: Command, tokens: Sequence[Token], index: int) -> tuple[str, str]:
        """Say what an extra word most likely was: the rest of the value before it (a value
        with spaces and no quotes), or an option typed without its value."""
        word = tokens[index].value
        option = command.option(word.lower())
        if option is not None:
            return (
                f"`{option.name}` needs a value: give it as `{option.name}={option.example}`.",
                option.name,
            )
        previous = tokens[index - 1] if index else None
        if previous is not None and previous.key is not None and not previous.quoted:
            rest = [previous.value]
            for token in tokens[index:]:
                if token.key is not None:
                    break
                rest.append(token.value)
            whole = " ".join(rest)
            return (
                f"`{word}` looks like the rest of `{previous.key}`. A value with spaces goes in "
                f'quotes: `{previous.key}="{literal(whole)}"`.',
                previous.key,
            )
        extra = " ".join(t.value for t in tokens[index:] if t.key is None)
        return f"I didn't expect `{literal(extra)}` here.", ""

    @staticmethod
    def _unknown_key(command: Command, key: str) -> str:
        names = [o.name for o in command.options]
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
        maybe = f" Did you mean `{close[0]}`?" if close else ""
        takes = ", ".join(names) or "nothing else"
        return (
            f"`{literal(key)}` isn't something `{TOP} {command.name}` takes.{maybe} "
            f"It takes: {takes}."
        )

    @staticmethod
    def bind(command: Command, raw: Mapping[str, str], ctx: ParseContext) -> dict[str, Any]:
        """Validate raw values against the command's options; all errors name the field."""
        values: dict[str, Any] = {}
        for name, text in raw.items():
            option = command.option(name)
            if option is None:
                raise UserError(Router._unknown_key(command, name), field=name)
            values[name] = option.parse(text, ctx)
        for option in command.options:
            if option.required and option.name not in values:
                raise UserError(
                    f"`{TOP} {command.name}` needs `{option.name}` ({option.description}).",
                    field=option.name,
                )
        return values

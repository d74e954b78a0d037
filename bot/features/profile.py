"""Profiles: what members tell the community about themselves, which every programme reads.

`/rounds profile` shows yours (or `@member`'s); `/rounds profile set field=value …` changes
fields; the "Fill in my profile" button opens the same as a form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.context import Context
from bot.domain import PROFESSION_WORDS, PROFESSIONS, STAGE_WORDS, STAGES, Member, Profile
from bot.errors import UserError
from bot.guard import Guard, Guarded, TextField
from bot.localtime import parse_quiet_hours
from bot.messages import (
    Button,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    Message,
    literal,
)
from bot.options import Option, OptionKind, ParseContext, parse_all
from bot.router import Command, Router
from bot.text import PROFILE_EXAMPLE, PROFILE_FORM_ACTION, profile_fields, shown

MAX_LIST_ITEMS = 10
MAX_ITEM_LENGTH = 40
FORM_ID = "profile.edit"
OPEN_FORM_ACTION = PROFILE_FORM_ACTION
EXAMPLE = PROFILE_EXAMPLE


def comma_list(field: str) -> Callable[[Any], tuple[str, ...]]:
    def convert(value: Any) -> tuple[str, ...]:
        items = tuple(dict.fromkeys(p.strip() for p in str(value).split(",") if p.strip()))
        if len(items) > MAX_LIST_ITEMS:
            raise UserError(
                f"`{field}` takes at most {MAX_LIST_ITEMS} items, separated by commas.", field=field
            )
        long_items = [item for item in items if len(item) > MAX_ITEM_LENGTH]
        if long_items:
            raise UserError(
                f"Each of your `{field}` should be at most {MAX_ITEM_LENGTH} characters; "
                f"shorten `{literal(long_items[0][:50])}`.",
                field=field,
            )
        return items

    return convert


FIELDS: tuple[Option, ...] = (
    Option("name", OptionKind.TEXT, "the name peers see", max_length=80),
    Option(
        "role", OptionKind.CHOICE, "your profession", choices=PROFESSIONS, aliases=PROFESSION_WORDS
    ),
    Option("stage", OptionKind.CHOICE, "your career stage", choices=STAGES, aliases=STAGE_WORDS),
    Option("specialty", OptionKind.TEXT, "e.g. emergency medicine", max_length=80),
    Option("institution", OptionKind.TEXT, "hospital, school or organisation", max_length=120),
    Option("region", OptionKind.TEXT, "city, country or region", max_length=80),
    Option("timezone", OptionKind.TIMEZONE, "your time zone, e.g. America/Chicago"),
    Option(
        "interests", OptionKind.TEXT, "comma list", max_length=450, convert=comma_list("interests")
    ),
    Option("goals", OptionKind.TEXT, "comma list", max_length=450, convert=comma_list("goals")),
    Option("mentor", OptionKind.BOOLEAN, "open to mentoring others"),
    Option("mentee", OptionKind.BOOLEAN, "looking for a mentor"),
    Option(
        "quiet",
        OptionKind.TEXT,
        "no nudges then, e.g. 22:00-07:00",
        max_length=11,
        convert=parse_quiet_hours,
    ),
)

# option name -> Profile attribute
ATTRIBUTES = {
    "role": "profession",
    "mentor": "open_to_mentor",
    "mentee": "seeking_mentor",
    "quiet": "quiet_hours",
}


def apply(profile: Profile, values: Mapping[str, Any]) -> Profile:
    return profile.with_changes(**{ATTRIBUTES.get(k, k): v for k, v in values.items()})


def missing_fields(profile: Profile) -> list[str]:
    names = []
    for option in FIELDS:
        if option.name in ("mentor", "mentee", "quiet"):
            continue
        if getattr(profile, ATTRIBUTES.get(option.name, option.name)) in (None, ()):
            names.append(option.name)
    return names


def render_profile(member: Member, *, own: bool) -> Message:
    p = member.profile
    headline = " · ".join(literal(part) for part in (p.profession, p.stage, p.specialty) if part)
    text = f"**{literal(member.label)}**"
    if headline:
        text += f"\n{headline}"
    fields = profile_fields(p, with_zone=True)
    if own and p.quiet_hours:
        fields.append(("Quiet hours", str(p.quiet_hours)))
    buttons: tuple[Button, ...] = ()
    if own:
        missing = missing_fields(p)
        if missing:
            text += (
                "\n\nYour profile helps peers and mentors find you. Still to fill in: "
                f"{', '.join(missing)}. For example: `/rounds profile set {missing[0]}=…`"
            )
        buttons = (Button("Edit my profile", OPEN_FORM_ACTION, style=ButtonStyle.PRIMARY),)
    elif p.filled == 0:
        text += "\n_They haven't filled in their profile yet._"
    return Message(text, tuple(fields), buttons)


def profile_form(profile: Profile) -> Form:
    return Form(
        form_id=FORM_ID,
        title="Your profile",
        fields=(
            FormField("name", "Name", initial=profile.name or "", max_length=80),
            FormField(
                "role",
                "Role",
                FieldKind.CHOICE,
                choices=PROFESSIONS,
                initial=profile.profession or "",
            ),
            FormField(
                "specialty",
                "Specialty",
                initial=profile.specialty or "",
                placeholder="e.g. emergency medicine",
                max_length=80,
            ),
            FormField(
                "institution", "Institution", initial=profile.institution or "", max_length=120
            ),
            FormField(
                "timezone",
                "Time zone",
                FieldKind.TIMEZONE,
                initial=profile.timezone or "",
                placeholder="e.g. America/Chicago",
            ),
        ),
        hint=(
            "More fields (stage, region, interests, goals, mentor, mentee, quiet) by command: "
            '`/rounds profile set stage=trainee interests="global surgery, equity" mentee=yes`'
        ),
    )


def saved_message(values: Mapping[str, Any], profile: Profile) -> Message:
    changed = ", ".join(f"{name} = {literal(shown(values[name]))}" for name in values)
    text = f"✓ Saved your profile: {changed}."
    if not profile.timezone:
        text += (
            "\nNext: set your time zone so nudges arrive at a sensible hour, "
            "e.g. `timezone=Europe/London`."
        )
    elif not profile.interests:
        text += (
            "\nNext: add your interests so peers can find you, "
            'e.g. `interests="quality improvement, simulation"`.'
        )
    return Message(text)


async def show(ctx: Context, args: Mapping[str, Any]) -> None:
    user_id = args.get("member")
    if user_id is None or user_id == ctx.member.user_id:
        ctx.reply(render_profile(ctx.member, own=True))
        return
    other = await ctx.tx.members.get(ctx.space.id, user_id)
    assert other is not None  # the router made sure they are a member
    ctx.reply(render_profile(other, own=False))


PURPOSE = "profile.set"
GUARDED_FIELDS = (
    TextField("specialty", "Specialty", 80),
    TextField("institution", "Institution", 120),
    TextField("region", "Region", 80),
    TextField("interests", "Interests (comma list)", 450, long=True),
    TextField("goals", "Goals (comma list)", 450, long=True),
)
"""The free-text fields the patient-information guard checks, each on its own (the member's
own name is not checked: it sits next to their specialty, which is not a patient's)."""


def parse_fields(values: Mapping[str, str], parse: ParseContext) -> dict[str, Any]:
    """Validate every field first: all errors at once, and nothing saved unless all are good."""
    return parse_all(FIELDS, values, parse, refused="Nothing was saved.")


class Profiles:
    """Saving profile fields, through the patient-information guard (constructor-injected)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def flow(self) -> Guarded:
        return Guarded(
            PURPOSE,
            "your profile",
            GUARDED_FIELDS,
            self.save,
            '`/rounds profile set interests="…"`',
            together=False,
        )

    async def set_fields(self, ctx: Context, args: Mapping[str, Any]) -> None:
        if not args:  # nothing typed: the form asks for the fields instead
            ctx.open_form(profile_form(ctx.member.profile))
            return
        await self.save(ctx, {name: shown(value) for name, value in args.items()}, False)

    async def submit_form(self, ctx: Context, values: Mapping[str, str], context: str) -> None:
        await self.save(ctx, dict(values), False)

    async def save(self, ctx: Context, values: dict[str, str], anyway: bool) -> None:
        parsed = parse_fields(values, ParseContext(ctx.now, ctx.member.profile.timezone))
        if not parsed:  # refused, not answered: the form stays open for them to fill in
            raise UserError(
                "Nothing to save: every field was empty. Fill in at least one, or close the form "
                "to leave your profile as it is."
            )
        if not anyway and not await self.guard.screen(ctx, PURPOSE, values):
            return  # held in memory until the member chooses: nothing may be written
        profile = apply(ctx.member.profile, parsed)
        await ctx.tx.members.save_profile(ctx.space.id, ctx.member.id, profile)
        ctx.reply(saved_message(parsed, profile))


async def open_form(ctx: Context, value: str) -> None:
    ctx.open_form(profile_form(ctx.member.profile))


async def home(ctx: Context) -> Message:
    card = render_profile(ctx.member, own=True)
    return Message("**Your profile**\n" + card.text, card.fields, card.buttons)


def register(router: Router, guard: Guard) -> None:
    profiles = Profiles(guard)
    guard.guard(profiles.flow())
    router.command(
        Command(
            ("profile",),
            "Show your profile, or another member's",
            show,
            options=(
                Option("member", OptionKind.MEMBER, "whose profile to show", positional=True),
            ),
            examples=("/rounds profile", "/rounds profile @alice"),
        )
    )
    router.command(
        Command(
            ("profile", "set"),
            "Change your profile fields",
            profiles.set_fields,
            options=FIELDS,
            examples=(
                EXAMPLE,
                '/rounds profile set interests="quality improvement, equity" mentee=yes',
            ),
        )
    )
    router.home_section(home)
    router.action(OPEN_FORM_ACTION, open_form)
    router.form(FORM_ID, profiles.submit_form)

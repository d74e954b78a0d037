"""Forms as Discord modals: a label per field, a text input or (for short choice lists) a select."""

from __future__ import annotations

import discord

from adapters.discord.translate import form_id
from bot.messages import FieldKind, Form, FormField

MAX_LABEL = 45
MAX_PLACEHOLDER = 100
MAX_INPUT = 4000
MAX_SELECT = 25


def field_input(
    field: FormField,
) -> discord.ui.TextInput[discord.ui.Modal] | discord.ui.Select[discord.ui.Modal]:
    if field.kind is FieldKind.CHOICE and 0 < len(field.choices) <= MAX_SELECT:
        return discord.ui.Select(
            custom_id=field.name,
            options=[
                discord.SelectOption(label=c, value=c, default=c == field.initial)
                for c in field.choices
            ],
            required=field.required,
            min_values=1 if field.required else 0,
            max_values=1,
        )
    placeholder = field.placeholder
    if field.kind is FieldKind.DATETIME and not placeholder:
        placeholder = "YYYY-MM-DD HH:MM, in your time zone"
    elif field.kind is FieldKind.CHOICE and not placeholder:
        placeholder = " | ".join(field.choices)
    return discord.ui.TextInput(
        custom_id=field.name,
        style=discord.TextStyle.paragraph
        if field.kind is FieldKind.LONG_TEXT
        else discord.TextStyle.short,
        placeholder=placeholder[:MAX_PLACEHOLDER] or None,
        default=field.initial or None,
        required=field.required,
        max_length=min(field.max_length, MAX_INPUT),
    )


def build_modal(form: Form, space: str) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title=form.title, custom_id=form_id(space, form.form_id, form.context), timeout=None
    )
    for field in form.fields:
        modal.add_item(discord.ui.Label(text=field.label[:MAX_LABEL], component=field_input(field)))
    modal.stop()  # submissions are routed by custom id, so nothing is kept in memory
    return modal

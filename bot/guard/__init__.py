"""The patient-information guard: a core module every programme can call, depending on none.

`rules` finds HIPAA Safe Harbor identifiers in text; `held` keeps flagged text in memory only
until the member chooses; `flow` is the Edit / Post anyway / Cancel conversation and the
`guard.mode` setting; `model` counts "Post anyway" choices, without the text.
"""

from __future__ import annotations

from bot.guard.flow import BLOCK, MODE, OFF, WARN, Guard, Guarded, TextField
from bot.guard.held import HeldText, HeldTexts
from bot.guard.model import GUARD, GuardRepo
from bot.guard.rules import DESCRIPTIONS, Finding, Kind, kinds, scan

__all__ = [
    "BLOCK",
    "DESCRIPTIONS",
    "GUARD",
    "MODE",
    "OFF",
    "WARN",
    "Finding",
    "Guard",
    "GuardRepo",
    "Guarded",
    "HeldText",
    "HeldTexts",
    "Kind",
    "TextField",
    "kinds",
    "scan",
]

"""The list of features, in registration order (configuration last: it reads their settings)."""

from __future__ import annotations

from bot.features import (
    config,
    help,
    housekeeping,
    intros,
    mentorship,
    network,
    profile,
    welcome,
)
from bot.router import Router


def build_router() -> Router:
    router = Router()
    for feature in (welcome, profile, intros, network, mentorship, help, housekeeping):
        feature.register(router)
    config.register(router)
    return router

"""The list of features, in registration order (configuration last: it reads their settings).

The patient-information guard is core: it is built here with the `HeldTexts` the composition
root hands in (its in-memory hold on flagged text), and given to the features that guard text.
"""

from __future__ import annotations

from bot.features import (
    config,
    dashboard,
    events,
    help,
    housekeeping,
    insight,
    intros,
    mentorship,
    network,
    privacy,
    profile,
    qa,
    welcome,
)
from bot.guard import Guard, HeldTexts
from bot.router import Router


def build_router(held: HeldTexts | None = None) -> Router:
    router = Router()
    guard = Guard(held if held is not None else HeldTexts())
    welcome.register(router)
    with router.section("Your profile and the directory"):
        profile.register(router, guard)
        intros.register(router)
    with router.section("Networking rounds"):
        network.register(router)
    with router.section("Mentorship"):
        mentorship.register(router, guard)
    with router.section("Peer Q&A"):
        qa.register(router, guard)
    with router.section("Events"):
        events.register(router, guard)
    guard.register(router)
    insight.register(router)
    dashboard.register(router)
    with router.section("Your data"):
        privacy.register(router)
    with router.section("Help"):
        help.register(router)
    housekeeping.register(router)
    config.register(router)
    return router

"""Delivery: the dispatcher that sends the outbox (ARCHITECTURE.md §4), the platforms' rate
budgets, and the send-time quiet-hours check."""

from bot.delivery.budget import RateBudget
from bot.delivery.dispatcher import (
    BASE_BACKOFF,
    LEASE,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    Dispatcher,
    backoff,
    default_worker,
)

__all__ = [
    "BASE_BACKOFF",
    "LEASE",
    "MAX_ATTEMPTS",
    "MAX_BACKOFF",
    "Dispatcher",
    "RateBudget",
    "backoff",
    "default_worker",
]

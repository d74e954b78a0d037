"""Delivery: the dispatcher that sends the outbox (ARCHITECTURE.md §4), how one delivery goes
out on its platform, the platforms' rate budgets, and the send-time quiet-hours check."""

from bot.delivery.budget import RateBudget
from bot.delivery.dispatcher import LEASE, Dispatcher, default_worker
from bot.delivery.sending import BASE_BACKOFF, MAX_ATTEMPTS, MAX_BACKOFF, backoff

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

"""Errors that cross the core's boundary: a user's mistake, and a platform refusing a delivery."""

from __future__ import annotations


class UserError(Exception):
    """Something the member can fix. The message is shown to them privately, with the usage line."""

    def __init__(
        self, message: str, *, field: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.fields = dict(fields or ({field: message} if field else {}))


class DeliveryError(Exception):
    """A platform refused or failed a send.

    `permanent` refusals are never retried; `dm_refused` ones fall back to a channel mention;
    `gone` means the message an edit was for no longer exists (it is sent anew instead).
    """

    def __init__(
        self, reason: str, *, permanent: bool, dm_refused: bool = False, gone: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.dm_refused = dm_refused
        self.gone = gone


class RateLimited(Exception):
    """The platform asked us to wait (HTTP 429); the delivery is retried after `retry_after` s."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.1f}s")
        self.retry_after = retry_after


class StoreBusy(Exception):
    """The database could not take the transaction now (SQLite's write lock held too long, a
    PostgreSQL deadlock or serialization failure). Nothing was written; trying again is safe."""

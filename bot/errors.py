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
    """The platform asked us to wait (HTTP 429), or a rate budget knows it would: the delivery
    is retried after `retry_after` s. `scope` says what is limited (a method, a route, a
    channel); empty for the whole platform."""

    def __init__(self, retry_after: float, scope: str = "") -> None:
        where = f" on {scope}" if scope else ""
        super().__init__(f"rate limited{where} for {retry_after:.1f}s")
        self.retry_after = retry_after
        self.scope = scope


class NotReady(RateLimited):
    """The platform cannot take requests yet (still connecting): nothing was sent. Its
    deliveries wait `retry_after` s in this process only, and no attempt is counted, so a
    restart never costs a fan-out its retries."""

    def __init__(self, reason: str, retry_after: float = 2.0) -> None:
        super().__init__(retry_after)
        self.args = (f"{reason}; trying again in {retry_after:.0f}s",)


class StoreBusy(Exception):
    """The database could not take the transaction now (SQLite's write lock held too long, a
    PostgreSQL deadlock or serialization failure). Nothing was written; trying again is safe."""


class StoreUnavailable(StoreBusy):
    """The database cannot be reached at all (the server is down or restarting, the network
    is cut). Nothing was written; trying again later is safe, but not within a command's
    moments."""

"""HTTP routes that programmes declare (a calendar feed, later the managers' dashboard), in
neutral terms: the adapter's web server mounts them and never learns what they are for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.ports import Store
    from bot.router import Router


@dataclass(frozen=True)
class PublicAddress:
    """Where Rounds' HTTP server is reachable from outside (`PUBLIC_URL`), for links shown to
    members. `configured` is False when it is only the server's own `http://HTTP_HOST:PORT`."""

    base: str = "http://127.0.0.1:3000"
    configured: bool = False

    def link(self, path: str) -> str:
        return self.base.rstrip("/") + "/" + path.lstrip("/")


@dataclass(frozen=True)
class WebRequest:
    """What a route handler sees of a request: the values of its path's `{names}`, the query
    and the headers (lowercased names)."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebResponse:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, text: str) -> WebResponse:
        return cls(status, text.encode("utf-8"))


@dataclass
class WebContext:
    """What a route handler may use: the store (it opens its own transactions) and the time."""

    store: Store
    router: Router
    now: datetime


WebHandler = Callable[[WebContext, WebRequest], Awaitable[WebResponse]]


@dataclass(frozen=True)
class WebRoute:
    """`GET /calendar/{token}.ics` and its handler. `{name}` segments become `params`."""

    method: str
    path: str
    handler: WebHandler

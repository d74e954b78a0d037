"""The dashboard's HTTP routes on the aiohttp server: sign-in from a chat link, the pages the
core declares (as HTML, their tables as CSV, their charts as SVG), and sign-out.

Security, in one place: every response carries a strict Content-Security-Policy (nothing from
anywhere else; no inline script or style) and is never cached; the session cookie is HttpOnly,
SameSite=Strict, Secure on https, and scoped to one community's path; every POST checks a CSRF
token; failed sign-ins are limited per address; the viewer (and their role) is checked on every
request, and every page is built for the community of the session only.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import markupsafe
from aiohttp import web

from bot.dashboard import Cell, Chart, Column, Figures, Note, Table
from bot.features.dashboard.access import SESSION_VALID, Viewer, csrf_ok
from bot.features.dashboard.service import BoardService, PageView
from web import chart as charts
from web.tables import Shown, query_string, show, sort_params, to_csv

log = logging.getLogger(__name__)

PREFIX = "/dashboard"
SESSION_COOKIE = "rounds_dashboard"
LOGIN_COOKIE = "rounds_login"
LOGIN_FIELD = "confirm"
CSRF_FIELD = "csrf"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STATIC = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["code_spans"] = code_spans
    env.globals.update(
        query_string=query_string,
        sort_params=sort_params,
        is_table=_is(Table),
        is_figures=_is(Figures),
        is_note=_is(Note),
        is_chart=_is(Chart),
    )
    return env


def code_spans(text: str) -> markupsafe.Markup:
    """A note's `/rounds event 12` as code; everything else escaped."""
    parts = str(markupsafe.escape(text)).split("`")
    if len(parts) % 2 == 0:  # an odd backtick: shown as typed
        return markupsafe.Markup("`".join(parts))
    return markupsafe.Markup(
        "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))
    )


def _is(kind: type) -> Callable[[object], bool]:
    return lambda block: isinstance(block, kind)


class Dashboard:
    def __init__(self, service: BoardService, *, secure: bool) -> None:
        self.service = service
        self.secure = secure
        self.templates = _environment()

    def attach(self, app: web.Application) -> None:
        space = PREFIX + r"/{space:\d+}"
        routes: list[tuple[str, str, Handler]] = [
            ("GET", PREFIX, self.landing),
            ("GET", PREFIX + "/", self.landing),
            ("GET", PREFIX + "/static/{name}", self.static),
            ("GET", PREFIX + "/login/{token}", self.login_page),
            ("POST", PREFIX + "/login/{token}", self.login),
            ("GET", space + "/", self.page),
            ("GET", space + "/{slug:[a-z0-9-]+}", self.page),
            ("GET", space + "/{slug:[a-z0-9-]+}/chart-{index:\\d+}.svg", self.chart),
            ("GET", space + "/{slug:[a-z0-9-]+}/{table:[a-z0-9-]+}.csv", self.csv),
            ("POST", space + "/signout", self.signout),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, _secured(handler))

    # -- rendering ---------------------------------------------------------------------------
    def _html(self, template: str, status: int = 200, **values: Any) -> web.Response:
        body = self.templates.get_template(template).render(**values)
        return web.Response(status=status, text=body, content_type="text/html", charset="utf-8")

    def _message(self, status: int, title: str, text: str) -> web.Response:
        return self._html("message.html", status, title=title, text=text)

    def _signed_out(self) -> web.Response:
        return self._message(
            401,
            "Please sign in",
            "Your session has ended, or this browser is not signed in to this community. "
            "Type /rounds dashboard in chat for a new sign-in link.",
        )

    # -- sign-in ----------------------------------------------------------------------------
    async def landing(self, request: web.Request) -> web.Response:
        return self._message(
            200,
            "Rounds dashboard",
            "Managers sign in from chat: type /rounds dashboard and open the link Rounds "
            "sends you.",
        )

    async def _refused(self, address: str) -> web.Response:
        await self.service.sign_in_failed(address)
        return self._message(
            410,
            "This link no longer works",
            "Sign-in links work once, within 10 minutes. Type /rounds dashboard in chat "
            "for a new one.",
        )

    def _too_many(self, wait: int) -> web.Response:
        response = self._message(
            429,
            "Too many attempts",
            "Too many sign-in links from here did not work. Wait a few minutes, then type "
            "/rounds dashboard in chat for a new one.",
        )
        response.headers["Retry-After"] = str(wait)
        return response

    async def login_page(self, request: web.Request) -> web.Response:
        """A link preview (a chat platform fetching the URL) must not spend the link: opening
        it shows a button; only pressing it signs in."""
        address = request.remote or "unknown"
        if wait := await self.service.sign_in_wait(address):
            return self._too_many(wait)
        if not await self.service.link_usable(request.match_info["token"]):
            return await self._refused(address)
        confirm = secrets.token_hex(16)
        response = self._html("login.html", confirm=confirm, field=LOGIN_FIELD)
        response.set_cookie(
            LOGIN_COOKIE,
            confirm,
            max_age=600,
            path=PREFIX + "/login/",
            httponly=True,
            secure=self.secure,
            samesite="Strict",
        )
        return response

    async def login(self, request: web.Request) -> web.Response:
        address = request.remote or "unknown"
        if wait := await self.service.sign_in_wait(address):
            return self._too_many(wait)
        form = await request.post()
        confirm = str(form.get(LOGIN_FIELD, ""))
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not confirm or not secrets.compare_digest(confirm, cookie):
            await self.service.sign_in_failed(address)
            return self._message(403, "Please try again", "Open the link from chat again.")
        signed = await self.service.sign_in(request.match_info["token"])
        if signed is None:
            return await self._refused(address)
        log.info("dashboard: signed in to space %s", signed.space_id)
        response = web.Response(status=303, headers={"Location": f"{PREFIX}/{signed.space_id}/"})
        response.set_cookie(
            SESSION_COOKIE,
            signed.token,
            max_age=int(SESSION_VALID.total_seconds()),
            path=f"{PREFIX}/{signed.space_id}/",
            httponly=True,
            secure=self.secure,
            samesite="Strict",
        )
        response.del_cookie(LOGIN_COOKIE, path=PREFIX + "/login/")
        _add_headers(response)
        return response

    async def _viewer(self, request: web.Request) -> Viewer | None:
        session = request.cookies.get(SESSION_COOKIE)
        if not session:
            return None
        return await self.service.viewer(int(request.match_info["space"]), session)

    async def signout(self, request: web.Request) -> web.Response:
        viewer = await self._viewer(request)
        if viewer is None:
            return self._signed_out()
        form = await request.post()
        session = request.cookies[SESSION_COOKIE]
        if not csrf_ok(session, str(form.get(CSRF_FIELD, ""))):
            return self._message(403, "Please try again", "That form was out of date.")
        await self.service.sign_out(viewer.space_id, session)
        response = self._message(200, "Signed out", "You are signed out of the dashboard.")
        response.del_cookie(SESSION_COOKIE, path=f"{PREFIX}/{viewer.space_id}/")
        return response

    # -- pages -----------------------------------------------------------------------------
    async def _view(self, request: web.Request) -> tuple[Viewer, PageView, ZoneInfo] | None:
        viewer = await self._viewer(request)
        if viewer is None:
            return None
        view = await self.service.page(viewer, request.match_info.get("slug", "overview"))
        if view is None:
            raise web.HTTPNotFound()
        return viewer, view, ZoneInfo(await self.service.zone(viewer))

    async def page(self, request: web.Request) -> web.Response:
        found = await self._view(request)
        if found is None:
            return self._signed_out()
        viewer, view, zone = found
        base = f"{PREFIX}/{viewer.space_id}"
        blocks: list[Any] = []
        charts_seen = 0
        for block in view.blocks:
            if isinstance(block, Table):
                blocks.append(show(block, request.query, zone))
            elif isinstance(block, Chart):
                blocks.append((block, f"{base}/{view.slug}/chart-{charts_seen}.svg"))
                blocks.append(show(chart_table(block, view.slug), request.query, zone))
                charts_seen += 1
            else:
                blocks.append(block)
        return self._html(
            "page.html",
            view=view,
            blocks=blocks,
            pages=self.service.pages,
            base=base,
            viewer=viewer,
            csrf_field=CSRF_FIELD,
            zone=zone.key,
            is_shown=_is(Shown),
            is_drawn=lambda b: isinstance(b, tuple),
        )

    async def csv(self, request: web.Request) -> web.Response:
        found = await self._view(request)
        if found is None:
            return self._signed_out()
        _, view, zone = found
        name = request.match_info["table"]
        tables = [b for b in view.blocks if isinstance(b, Table)]
        tables += [chart_table(b, view.slug) for b in view.blocks if isinstance(b, Chart)]
        table = next((t for t in tables if t.name == name), None)
        if table is None:
            raise web.HTTPNotFound()
        body = to_csv(show(table, request.query, zone))
        return web.Response(
            body=body,
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{view.slug}-{name}.csv"'},
        )

    async def chart(self, request: web.Request) -> web.Response:
        found = await self._view(request)
        if found is None:
            return self._signed_out()
        _, view, zone = found
        drawn = [b for b in view.blocks if isinstance(b, Chart)]
        index = int(request.match_info["index"])
        if index >= len(drawn):
            raise web.HTTPNotFound()
        body = await charts.svg(drawn[index], zone)
        return web.Response(body=body, content_type="image/svg+xml")

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        body = resources.files("web").joinpath("static", name).read_bytes()
        return web.Response(body=body, content_type=STATIC[name], charset="utf-8")


def chart_table(chart: Chart, slug: str) -> Table:
    """The chart's numbers as a table: what a screen reader reads, and the chart's CSV."""
    columns = (Column("Week starting"), *(Column(label, numeric=True) for label, _ in chart.series))
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (f"{start:%Y-%m-%d}", *(counts[i] for _, counts in chart.series))
        for i, start in enumerate(chart.starts)
    )
    return Table("weekly", chart.title, columns, rows)


def _add_headers(response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


def _secured(handler: Handler) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            _add_headers(error)
            raise
        _add_headers(response)
        return response

    return handle

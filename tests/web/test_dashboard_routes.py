"""The dashboard's routes and their security, through real HTTP against the console's own web
server: one-time and expired links, a second use, a member who is not a manager, sessions that
stay in their community, CSRF, limits on failed sign-ins, and hostile display names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio

from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from bot.features.dashboard.access import new_token, token_hash
from bot.features.dashboard.model import DASHBOARD, Grant
from storage.store import SqlStore
from tests.conftest import START
from tests.web.harness import CSRF, Board, links, start_board, table_rows
from web.app import code_spans
from web.tables import csv_rows

COMMUNITY = """
clock 2026-03-02 09:00 UTC
join amara
join ben
"""


@pytest_asyncio.fixture
async def board(store: SqlStore) -> AsyncIterator[Board]:
    found = await start_board(store, ManualClock(START))
    await found.run(COMMUNITY)
    yield found
    await found.close()


async def test_a_manager_signs_in_through_the_link_sent_in_chat(board: Board) -> None:
    out = await board.run("amara: /rounds dashboard")
    assert "[private @amara]" in out and "sent you a sign-in link" in out
    [link] = links(out)
    assert "[dm @amara]" in out and link.startswith(board.url + "/dashboard/login/")
    html = await board.sign_in(board.browser(), link)
    assert "<h1>Overview</h1>" in html
    assert "Signed in as amara" in html
    assert 'src="/dashboard/1/overview/chart-0.svg"' in html
    assert "<dt>Members</dt><dd>2</dd>" in html
    assert "<dt>With an introduction</dt><dd>0</dd>" in html


async def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_community(
    board: Board,
) -> None:
    link = await board.link_for("amara")
    http = board.browser()
    async with http.get(link) as page:
        confirm = (await page.text()).split('name="confirm" value="')[1].split('"')[0]
    async with http.post(link, data={"confirm": confirm}, allow_redirects=False) as answer:
        assert answer.status == 303
        assert answer.headers["Location"] == "/dashboard/1/"
        cookie = next(
            c for c in answer.headers.getall("Set-Cookie") if c.startswith("rounds_dashboard=")
        )
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/dashboard/1/" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http on this machine; https turns it on


async def test_every_page_has_a_strict_content_security_policy(board: Board) -> None:
    await board.sign_in(http := board.browser(), await board.link_for("amara"))
    async with http.get(f"{board.url}/dashboard/1/qa") as page:
        policy = page.headers["Content-Security-Policy"]
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


async def test_a_link_works_once(board: Board) -> None:
    link = await board.link_for("amara")
    await board.sign_in(board.browser(), link)
    async with board.browser().get(link) as again:
        assert again.status == 410
        assert "/rounds dashboard" in await again.text()


async def test_a_link_opened_twice_before_signing_in_still_works_once(board: Board) -> None:
    """A chat platform's link preview fetches the link: that must not spend it."""
    link = await board.link_for("amara")
    async with board.browser().get(link) as preview:
        assert preview.status == 200
    html = await board.sign_in(board.browser(), link)
    assert "<h1>Overview</h1>" in html


async def test_an_expired_link_is_refused_with_a_way_forward(board: Board) -> None:
    link = await board.link_for("amara")
    await board.run("advance 11m")
    async with board.browser().get(link) as page:
        assert page.status == 410
        text = await page.text()
    assert "within 10 minutes" in text and "/rounds dashboard" in text


async def test_a_member_who_is_not_a_manager_gets_no_link(board: Board) -> None:
    out = await board.run("ben: /rounds dashboard")
    assert "Only community managers" in out
    assert links(out) == []


async def test_pages_without_a_session_ask_to_sign_in(board: Board) -> None:
    for path in ("/dashboard/1/", "/dashboard/1/audit", "/dashboard/1/audit/changes.csv"):
        async with board.browser().get(board.url + path) as page:
            assert page.status == 401
            assert "/rounds dashboard" in await page.text()


async def test_a_manager_who_loses_the_role_loses_access_on_the_next_request(
    board: Board,
) -> None:
    await board.run("amara: /rounds config manager add @ben")
    http = board.browser()
    await board.sign_in(http, await board.link_for("ben"))
    await board.run("amara: /rounds config manager remove @ben")
    async with http.get(f"{board.url}/dashboard/1/") as page:
        assert page.status == 401


async def test_signout_in_chat_ends_every_session_of_that_manager(board: Board) -> None:
    first, second = board.browser(), board.browser()
    await board.sign_in(first, await board.link_for("amara"))
    await board.sign_in(second, await board.link_for("amara"))
    out = await board.run("amara: /rounds dashboard signout")
    assert "2 sessions ended" in out
    for http in (first, second):
        async with http.get(f"{board.url}/dashboard/1/") as page:
            assert page.status == 401


async def test_signing_out_in_the_browser_needs_the_csrf_token(board: Board) -> None:
    http = board.browser()
    html = await board.sign_in(http, await board.link_for("amara"))
    async with http.post(f"{board.url}/dashboard/1/signout", data={"csrf": "0" * 64}) as forged:
        assert forged.status == 403
    async with http.get(f"{board.url}/dashboard/1/") as still:
        assert still.status == 200
    csrf = CSRF.search(html)
    assert csrf is not None
    async with http.post(f"{board.url}/dashboard/1/signout", data={"csrf": csrf.group(1)}) as ok:
        assert ok.status == 200
    async with http.get(f"{board.url}/dashboard/1/") as after:
        assert after.status == 401


async def test_signing_in_needs_the_confirmation_from_the_same_browser(board: Board) -> None:
    """Login CSRF: a form on another site can't spend a link into the victim's browser."""
    link = await board.link_for("amara")
    async with board.browser().post(link, data={"confirm": "f" * 32}) as forged:
        assert forged.status == 403
    html = await board.sign_in(board.browser(), link)  # the link itself was not spent
    assert "<h1>Overview</h1>" in html


async def test_a_session_of_one_community_reads_nothing_of_another(
    board: Board, store: SqlStore
) -> None:
    other = Actor(SpaceKey("slack", "T2"), "U2", "Zed Other")
    await board.core.rounds.member_joined(other)  # type: ignore[attr-defined]
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SpaceKey("slack", "T2"))
        zed = await tx.members.get(space.id, "U2")
        assert zed is not None
        await tx.members.set_manager(space.id, zed.id, True)
        token = new_token()
        grant = Grant(space.id, zed.id, False, START + timedelta(minutes=10))
        await tx.repo(DASHBOARD).add_link(token_hash(token), grant, START)
    http = board.browser()
    await board.sign_in(http, await board.link_for("amara"))
    [own] = [c for c in http.cookie_jar if c.key == "rounds_dashboard"]
    forged = {"Cookie": f"rounds_dashboard={own.value}"}
    theirs = f"{board.url}/dashboard/{space.id}"
    for path in ("/", "/audit", "/audit/changes.csv", "/overview/chart-0.svg", "/qa"):
        async with http.get(theirs + path, headers=forged) as page:
            assert page.status == 401, path
            assert "Zed" not in await page.text()
    zed_http = board.browser()
    html = await board.sign_in(zed_http, f"{board.url}/dashboard/login/{token}")
    assert "Signed in as Zed Other" in html and "<dt>Members</dt><dd>1</dd>" in html


async def test_failed_sign_ins_are_limited_per_address(board: Board) -> None:
    http = board.browser()
    for attempt in range(10):
        async with http.get(f"{board.url}/dashboard/login/{attempt:064x}") as bad:
            assert bad.status == 410
    link = await board.link_for("amara")
    async with http.get(link) as blocked:
        assert blocked.status == 429
        assert "Retry-After" in blocked.headers


async def test_hostile_display_names_are_escaped_in_pages_and_defused_in_csv(
    board: Board,
) -> None:
    hostile = [
        ("U-script", "<script>alert(1)</script>"),
        ("U-img", '"><img src=x onerror=alert(1)>'),
        ("U-formula", '=HYPERLINK("http://evil")'),
    ]
    space = SpaceKey("console", "console")
    for user_id, name in hostile:
        await board.core.rounds.member_joined(Actor(space, user_id, name))  # type: ignore[attr-defined]
        await board.run(f"amara: /rounds config manager add @{user_id}")
    http = board.browser()
    await board.sign_in(http, await board.link_for("amara"))
    async with http.get(f"{board.url}/dashboard/1/audit") as page:
        html = await page.text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    async with http.get(f"{board.url}/dashboard/1/audit/changes.csv") as download:
        rows = csv_rows(await download.read())
    details = [row[3] for row in rows[1:]]
    assert "added <script>alert(1)</script> as a manager" in details
    whos = {row[1] for row in rows[1:]}
    assert whos == {"amara"}
    hostile_cells = [c for row in rows for c in row if "HYPERLINK" in c]
    assert hostile_cells and all(not c.startswith("=") for c in hostile_cells)


async def test_a_csv_holds_exactly_the_rows_the_table_shows(board: Board) -> None:
    await board.run(
        "amara: /rounds config manager add @ben\n"
        "amara: /rounds config channel qa #questions\n"
        "amara: /rounds config manager remove @ben"
    )
    http = board.browser()
    await board.sign_in(http, await board.link_for("amara"))
    query = "?changes-q=ben&changes-sort=3"
    async with http.get(f"{board.url}/dashboard/1/audit{query}") as page:
        shown = table_rows(await page.text())
    async with http.get(f"{board.url}/dashboard/1/audit/changes.csv{query}") as download:
        assert download.headers["Content-Type"].startswith("text/csv")
        rows = csv_rows(await download.read())
    assert rows[0] == ["When", "Who", "What", "Detail"]
    assert rows[1:] == shown
    assert [row[3] for row in shown] == ["added ben as a manager", "removed ben as a manager"]


async def test_each_programme_page_shows_its_sections(board: Board) -> None:
    await board.run(
        "amara: /rounds config channel qa #questions\n"
        "amara: /rounds config channel events #events\n"
        'ben: /rounds ask title="How do I negotiate protected time?"\n'
        'amara: /rounds event create title="Secret title" when="2026-03-10 18:00" capacity=2\n'
        'ben: click "Going"\n'
        "amara: /rounds network join\n"
        "ben: /rounds network join"
    )
    http = board.browser()
    await board.sign_in(http, await board.link_for("amara"))
    expected = {
        "networking": ["<h1>Networking rounds</h1>", "The last 12 rounds", "Paused members"],
        "mentorship": ["Current pairs", "Requests waiting for a mentor", "Mentors at capacity"],
        "events": [
            "Upcoming",
            "Event 1 (workshop)",
            "past events",
            "Times are shown in UTC.",
            "<code>/rounds event 12</code>",  # the note's command, as code
            "of 1 row</p>",
            '<p class="empty">No past events yet.</p>',  # no filter or CSV for nothing
        ],
        "qa": ["Unanswered questions", "How do I negotiate protected time?", "Guard warnings"],
        "audit": ["<h1>Audit log</h1>", "set the qa channel"],
    }
    for slug, texts in expected.items():
        async with http.get(f"{board.url}/dashboard/1/{slug}") as page:
            assert page.status == 200, slug
            html = await page.text()
        for text in texts:
            assert text in html, (slug, text)
    async with http.get(f"{board.url}/dashboard/1/events") as page:
        html = await page.text()
    assert "Secret title" not in html  # members' words stay in chat
    assert html.count("Download CSV") == 1  # the upcoming table's; the empty one has none
    async with http.get(f"{board.url}/dashboard/1/") as page:
        html = await page.text()
    for line in ("Networking rounds", "Mentorship", "Events", "Q&amp;A"):
        assert f"<dt>{line}</dt>" in html


async def test_the_weekly_chart_is_an_svg_of_the_overview_numbers(board: Board) -> None:
    http = board.browser()
    await board.sign_in(http, await board.link_for("amara"))
    async with http.get(f"{board.url}/dashboard/1/overview/chart-0.svg") as chart:
        assert chart.status == 200
        assert chart.headers["Content-Type"] == "image/svg+xml"
        body = await chart.text()
    assert "<svg" in body and "New members" in body
    async with http.get(f"{board.url}/dashboard/1/overview/weekly.csv") as download:
        rows = csv_rows(await download.read())
    assert rows[0][:2] == ["Week starting", "New members"]
    assert sum(int(row[1]) for row in rows[1:]) == 2


def test_a_notes_code_is_marked_and_everything_else_escaped() -> None:
    assert str(code_spans("Type `/rounds <x>` & go")) == (
        "Type <code>/rounds &lt;x&gt;</code> &amp; go"
    )
    assert str(code_spans("one ` alone")) == "one ` alone"

"""The managers' dashboard at 10,000 members: each page's whole request (HTTP over loopback →
session and role check → every query of the page → HTML), p50/p95, for the overview and each
programme's page; the overview's chart SVG once drawn (cached) and its first draw.

Every member takes part in networking rounds (5% paused), 500 posted questions wait for
answers, 200 audit entries. Run: `python -m benchmarks.dashboard` (SQLite in a temporary file).
"""

from __future__ import annotations

import asyncio
import io
import statistics
import tempfile
import time
from datetime import timedelta

import aiohttp
from sqlalchemy import insert, select

from benchmarks.common import NOW, seed_members
from bot.bootstrap import attach_dashboard, build_core
from bot.clock import ManualClock
from bot.features.dashboard.access import new_token, token_hash
from bot.features.dashboard.model import DASHBOARD, Grant
from bot.web import PublicAddress
from storage.models import Base, MemberRow
from storage.network_tables import NetworkMemberRow
from storage.qa_tables import QaQuestionRow
from storage.store import SqlStore

MEMBERS = 10_000
QUESTIONS = 500
RUNS = 200
WARM_UP = 20
PAGES = ("", "networking", "mentorship", "events", "qa", "audit")


async def seed(store: SqlStore) -> int:
    space_id = await seed_members(store, MEMBERS)
    async with store.sessions() as session, session.begin():
        ids = list(await session.scalars(select(MemberRow.id).order_by(MemberRow.id)))
        rows = [
            {
                "member_id": member_id,
                "space_id": space_id,
                "status": "paused" if i % 20 == 0 else "active",
                "ignored_streak": 3 if i % 20 == 0 else 0,
                "changed_at": NOW,
            }
            for i, member_id in enumerate(ids)
        ]
        for start in range(0, len(rows), 2000):
            await session.execute(insert(NetworkMemberRow), rows[start : start + 2000])
        await session.execute(
            insert(QaQuestionRow),
            [
                {
                    "space_id": space_id,
                    "number": n + 1,
                    "author_id": ids[n],
                    "title": f"Question {n} about rotas and protected time",
                    "status": "posted",
                    "asked_at": NOW - timedelta(hours=n),
                    "posted_at": NOW - timedelta(hours=n),
                }
                for n in range(QUESTIONS)
            ],
        )
    async with store.transaction() as tx:
        for n in range(200):
            await tx.audit.record(space_id, NOW, "config.set", f"set `x` to {n}", actor_id=ids[0])
    return space_id


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        async with store.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        space_id = await seed(store)
        core = build_core(store, ManualClock(NOW), address=PublicAddress())
        from adapters.web import WebServer

        server = WebServer("127.0.0.1", 0)
        attach_dashboard(core, server, core.address)
        await server.start()
        async with store.transaction() as tx:
            manager = await tx.members.get(space_id, "U000000")
            assert manager is not None
            token = new_token()
            grant = Grant(space_id, manager.id, False, NOW + timedelta(minutes=10))
            await tx.repo(DASHBOARD).add_link(token_hash(token), grant, NOW)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            link = f"{server.url}/dashboard/login/{token}"
            async with http.get(link) as page:
                confirm = (await page.text()).split('name="confirm" value="')[1].split('"')[0]
            async with http.post(link, data={"confirm": confirm}) as page:
                assert page.status == 200
            base = f"{server.url}/dashboard/{space_id}/"
            chart = base + "overview/chart-0.svg"
            started = time.perf_counter()
            async with http.get(chart) as answer:
                assert answer.status == 200
            first = (time.perf_counter() - started) * 1000
            print(f"chart SVG, first draw (matplotlib imported): {first:.0f} ms")
            out = io.StringIO()
            for slug in (*PAGES, "overview/chart-0.svg"):
                samples = []
                for run in range(WARM_UP + RUNS):
                    started = time.perf_counter()
                    async with http.get(base + slug) as answer:
                        await answer.read()
                        assert answer.status == 200, slug
                    if run >= WARM_UP:
                        samples.append((time.perf_counter() - started) * 1000)
                samples.sort()
                p95 = samples[int(len(samples) * 0.95)]
                print(
                    f"{slug or 'overview':<22} p50 {statistics.median(samples):6.1f} ms  "
                    f"p95 {p95:6.1f} ms",
                    file=out,
                )
            print(out.getvalue(), end="")
        await server.stop()
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

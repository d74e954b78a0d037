"""Migrations for the outbox: processes that start together on PostgreSQL both migrate (an
advisory lock), and deliveries finished before the upgrade lose their message."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import upgrade
from tests.test_migrations import community_at, differences, migrations_url, reset

CHILD = """
import sys
from storage.migrate import upgrade
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()
upgrade(sys.argv[1])
"""


def test_two_processes_starting_together_both_migrate(tmp_path: Path) -> None:
    url = migrations_url(tmp_path)
    if not url.startswith("postgresql"):
        pytest.skip("SQLite serves one process; the lock is PostgreSQL's")
    asyncio.run(reset(url))
    root = Path(__file__).resolve().parent.parent
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for child in children:  # both imported and waiting: start them at the same moment
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0], errors
    assert asyncio.run(differences(url)) == []


PRIVATE = '{"text": "private"}'


def test_upgrading_drops_the_message_of_deliveries_that_already_finished(tmp_path: Path) -> None:
    url = community_at(
        tmp_path,
        "0002",
        "insert into outbox (space_id, dedupe_key, purpose, target_kind, target_id, payload,"
        " due_at, status, attempts, sent_at, created_at) values ((select min(id) from spaces),"
        " :key, 'test', 'dm', 'U1', :payload, '2026-01-01 00:00:00+00', :status, 1,"
        " '2026-01-02 00:00:00+00', '2026-01-01 00:00:00+00')",
        values=[
            {"key": key, "status": status, "payload": PRIVATE}
            for key, status in (("done", "sent"), ("todo", "pending"))
        ],
    )

    async def read() -> dict[str, tuple[str | None, bool]]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("select dedupe_key, payload, finished_at from outbox")
            )
            found = {key: (payload, finished is not None) for key, payload, finished in rows}
        await engine.dispose()
        return found

    upgrade(url)
    assert asyncio.run(read()) == {
        "done": (None, True),
        "todo": (PRIVATE, False),
    }

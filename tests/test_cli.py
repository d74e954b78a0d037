"""The command-line contract (ARCHITECTURE.md §6–7), run as real processes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rounds(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )


def test_the_example_tour_runs_to_its_end() -> None:
    result = rounds("console", "--script", "examples/tour.txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[dm @amara]\n  Welcome to the community, @amara!")
    assert "[private @ben]\n  ✓ Saved your profile: name = Ben Osei" in result.stdout
    assert "[private @amara]\n  ✓ @ben is now a community manager." in result.stdout


def test_the_events_example_runs_to_its_end() -> None:
    result = rounds("console", "--script", "examples/events.txt")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✓ Event 1 is on: **Negotiating for your team** (workshop)" in out
    assert "is full, so you're on the waitlist (number 1 in line)" in out
    assert "[dm @dev]\n  🎉 A seat opened up: you're now going to" in out
    assert "⏰ **Negotiating for your team** starts in 1 hour" in out
    assert "✓ Cancelled event 5, **Journal club**." in out
    assert "[dm @ben]\n  📝 A follow-up from @amara" in out
    assert "I don't know" not in out and "Sorry" not in out


def test_a_script_is_the_same_on_every_run(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("clock 2026-03-02 09:00 UTC\njoin alice\n/rounds profile\n")
    first = rounds("console", "--script", str(script))
    second = rounds("console", "--script", str(script))
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert "[private @alice]\n  **alice**" in first.stdout


def test_unknown_instructions_and_rejected_commands_do_not_stop_a_script(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("join alice\nfly to the moon\n/rounds nope\n# a comment\n\n/rounds profile\n")
    result = rounds("console", "--script", str(script))
    assert result.returncode == 0
    assert "[console]\n  I don't understand `fly to the moon`." in result.stdout
    assert "[private @alice]\n  I don't know `/rounds nope`." in result.stdout
    assert result.stdout.rstrip().endswith("[button] Edit my profile")


def test_a_missing_script_is_reported(tmp_path: Path) -> None:
    result = rounds("console", "--script", str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_rounds_without_tokens_is_the_console_reading_standard_input(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/r.db"}
    result = rounds(stdin="join alice\n/rounds help\n", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[private @alice]\n  **Rounds: what you can do**" in result.stdout


def test_the_interactive_console_keeps_the_community_in_the_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/r.db"}
    rounds(
        "console",
        stdin="join alice\n/rounds profile set specialty=surgery\n",
        env=env,
        cwd=tmp_path,
    )
    result = rounds("console", stdin="as alice\n/rounds profile\n", env=env, cwd=tmp_path)
    assert "resident" not in result.stdout
    assert "**alice**\n  surgery" in result.stdout


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    database = tmp_path / "fresh.db"
    result = rounds("db", "upgrade", env={"DATABASE_URL": f"sqlite+aiosqlite:///{database}"})
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        tables = {
            row[0]
            for row in connection.execute("select name from sqlite_master where type='table'")
        }
        mode = connection.execute("pragma journal_mode").fetchone()[0]
    assert {"spaces", "members", "settings", "outbox", "alembic_version"} <= tables
    assert mode == "wal"


def test_tokens_never_reach_the_logs(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/r.db", "LOG_LEVEL": "DEBUG"}
    result = rounds(
        stdin="join alice\n", env={**env, "SLACK_APP_TOKEN": "xapp-secret-value"}, cwd=tmp_path
    )
    assert "xapp-secret-value" not in result.stdout + result.stderr


def test_the_qa_example_runs_to_its_end() -> None:
    result = rounds("console", "--script", "examples/qa.txt")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    warning = out.split("[private @cara]\n  ⚠️ Before this is posted:")[1].split("\n[")[0]
    assert "(a phone or fax number)" in warning and "415-555-2671" not in warning
    assert "[private @cara]\n  ✓ Your question Q1 is up in #qa." in out
    assert "415-555-2671" not in out.split("[#qa]")[1]  # edited out before posting
    assert "[#qa thread " in out and "💡 **A1** by @ben" in out
    assert "[private @cara]\n  ✓ Accepted A1 by @ben for Q1." in out
    assert "[private @dev]\n  **1 question matching “protected time”**" in out
    assert "Was it answered here?" in out
    assert "Q2 was asked by @dev." in out
    assert "[dm @ben]\n  🙋 A question in your area has no answer yet: **Q2:" in out
    assert "has had no answer for 3 days" in out
    assert "Traceback" not in result.stderr

"""Command-line entry points (ARCHITECTURE.md §6, a contract).

`rounds` runs every platform whose token is set (the console when none is);
`rounds console [--script FILE]`; `rounds db upgrade`; `rounds discord sync [--guild ID]`
registers the Discord slash commands; `python -m bot` is the same as `rounds`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.bootstrap import run_console
from bot.clock import ManualClock
from bot.settings import Settings
from storage.migrate import upgrade

log = logging.getLogger("rounds")

BANNER = """\
Rounds console: you are the whole community here, no Slack or Discord account needed.
Start with `join yourname`, then try `/rounds help`. Other instructions:
  as NAME · NAME: /rounds … · click "Label" · submit field=value … · advance 3d · quit
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rounds", description="Rounds community bot")
    sub = p.add_subparsers(dest="command")
    console = sub.add_parser("console", help="talk to Rounds in the terminal")
    console.add_argument("--script", type=Path, help="run a transcript file and exit")
    db = sub.add_parser("db", help="database tasks")
    db.add_argument("action", choices=["upgrade"])
    discord = sub.add_parser("discord", help="Discord tasks")
    discord.add_argument("action", choices=["sync"], help="register the slash commands")
    discord.add_argument(
        "--guild", type=int, help="register in this server only (instant; for testing)"
    )
    return p


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    quiet_libraries(logging.getLogger().level)


LIBRARIES = ("aiosqlite", "asyncpg", "discord", "slack_bolt", "slack_sdk", "aiohttp", "apscheduler")
"""Loggers whose DEBUG lines carry request bodies, gateway payloads, statement parameters or
webhook URLs with interaction tokens: what members wrote, and secrets. Never below INFO."""


def quiet_libraries(root: int) -> None:
    """Keep what members wrote and every token out of the log, whatever LOG_LEVEL says.

    SQLAlchemy logs each statement at INFO and result rows at DEBUG: statements only when
    Rounds itself logs at DEBUG (their parameters are hidden by the engine), otherwise nothing
    below WARNING. The libraries in LIBRARIES are never let below INFO.
    """
    statements = logging.INFO if root <= logging.DEBUG else logging.WARNING
    logging.getLogger("sqlalchemy").setLevel(max(statements, logging.WARNING))
    logging.getLogger("sqlalchemy.engine").setLevel(statements)
    for library in LIBRARIES:
        logging.getLogger(library).setLevel(max(root, logging.INFO))


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    if args.command == "db":
        setup_logging(settings.LOG_LEVEL)
        upgrade(settings.DATABASE_URL)
        print("Database is up to date.")
        return 0
    if args.command == "discord":
        setup_logging(settings.LOG_LEVEL)
        return discord_sync(settings, args.guild)
    if args.command == "console":
        setup_logging("WARNING")
        if args.script is not None:
            return script(args.script)
        return interactive(settings)
    setup_logging(settings.LOG_LEVEL)
    if not (settings.slack_enabled or settings.discord_enabled):
        log.info("no SLACK_BOT_TOKEN or DISCORD_TOKEN set: starting the console")
        logging.getLogger().setLevel(logging.WARNING)
        return interactive(settings)
    upgrade(settings.DATABASE_URL)
    from bot.bootstrap import serve

    return asyncio.run(serve(settings))


def discord_sync(settings: Settings, guild: int | None) -> int:
    """Register the slash commands generated from the router: explicit, never on every start."""
    if not settings.discord_enabled:
        print("rounds: set DISCORD_TOKEN to register Discord commands", file=sys.stderr)
        return 2
    from adapters.discord.service import sync_commands
    from bot.features.catalog import build_router

    try:
        synced = asyncio.run(sync_commands(settings, build_router(), guild))
    except Exception as error:  # a refused token, a missing server, no network: say which
        print(f"rounds: Discord sync failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    names = ", ".join(f"/{command['name']}" for command in synced)
    where = f"in server {guild}" if guild else "globally"
    print(f"Registered {names} {where}.")
    return 0


def script(path: Path) -> int:
    """Run a transcript on a fresh, throwaway database, so its output is the same every run."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        print(f"rounds: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="rounds-script-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/script.db"
        upgrade(url)
        clock = ManualClock(datetime.now(UTC))
        asyncio.run(run_console(url, lines, sys.stdout, start=clock))
    return 0


def interactive(settings: Settings) -> int:
    upgrade(settings.DATABASE_URL)
    tty = sys.stdin.isatty()
    if tty:
        print(BANNER)
    clock = ManualClock(datetime.now(UTC))
    try:
        asyncio.run(
            run_console(
                settings.DATABASE_URL,
                read_lines(tty),
                sys.stdout,
                start=clock,
                resume=True,
                http=settings,
            )
        )
    except KeyboardInterrupt:
        print()
    return 0


def read_lines(tty: bool) -> Iterator[str]:
    while True:
        try:
            line = input("> ") if tty else sys.stdin.readline()
        except EOFError:
            return
        if not tty and not line:
            return
        if line.strip() in ("quit", "exit"):
            return
        yield line

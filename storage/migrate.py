"""Apply migrations from code (`rounds db upgrade`, and at start), without alembic.ini."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

from storage.directory_index import alembic_compares
from storage.fts import include_name

MIGRATIONS = Path(__file__).parent / "migrations"


def compared(name: str | None, type_: str, parent_names: Any) -> bool:
    """What Alembic compares with the models: not the full-text index tables (storage/fts.py)
    nor the directory's search table and trigram indexes (storage/directory_index.py)."""
    return include_name(name, type_, parent_names) and alembic_compares(name, type_, parent_names)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the latest schema. Call outside a running event loop."""
    command.upgrade(alembic_config(url), "head")

"""Full-text index tables live outside the SQLAlchemy models (an FTS5 virtual table on SQLite,
a `tsvector` table on PostgreSQL), so Alembic's comparison must not see them.

Naming rule, for every programme: an index table's name starts with `fts_` or ends with
`_fts`; SQLite's shadow tables of an FTS5 table (`fts_x_data`, `x_fts_idx`, …) follow from it.
"""

from __future__ import annotations

from typing import Any


def is_index_table(name: str | None) -> bool:
    if not name:
        return False
    return name.startswith("fts_") or name.endswith("_fts") or "_fts_" in name


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's `include_name` hook: leave full-text index tables out of autogenerate."""
    return not (type_ == "table" and is_index_table(name))

"""Every programme's tables and repositories, so the store, Alembic and tests see them all.

Adding a programme adds one line here (see CONTRIBUTING.md): its `storage/<name>.py` module,
whose `REPOSITORIES` maps the programme's `RepoKey` name to the class that implements it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import dashboard, events, guard, insight, intros, mentorship, network, qa

RepositoryFactory = Callable[[AsyncSession], Any]

REPOSITORIES: Mapping[str, RepositoryFactory] = {
    **intros.REPOSITORIES,
    **network.REPOSITORIES,
    **mentorship.REPOSITORIES,
    **qa.REPOSITORIES,
    **guard.REPOSITORIES,
    **insight.REPOSITORIES,
    **events.REPOSITORIES,
    **dashboard.REPOSITORIES,
}

"""Schema migrations, run programmatically on the application's own async engine."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from cassbot.storage.db import Database

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(db: Database, target: str = "heads") -> tuple[set[str], set[str]]:
    """Bring the schema to the newest revision; returns (revisions before, revisions after)."""
    config = alembic_config()

    def _run(connection: Connection) -> tuple[set[str], set[str]]:
        before = set(MigrationContext.configure(connection).get_current_heads())
        config.attributes["connection"] = connection
        command.upgrade(config, target)
        after = set(MigrationContext.configure(connection).get_current_heads())
        return before, after

    async with db.engine.begin() as connection:
        before, after = await connection.run_sync(_run)
    if before != after:
        logger.info(
            "database schema upgraded", extra={"from": sorted(before), "to": sorted(after)}
        )
    return before, after


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())

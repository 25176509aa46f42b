"""Storage on SQLite and PostgreSQL: migrations, the models/head check, repositories."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from cassbot.events import UserRef
from cassbot.people import identity_for
from cassbot.storage.db import Database
from cassbot.storage.migrate import head_revisions, upgrade
from cassbot.storage.models import Base, Community, Group, InboundEvent, Person
from cassbot.storage.upsert import insert_ignore


@pytest.fixture
async def db(db_url: str):  # type: ignore[no-untyped-def]
    database = Database(db_url)
    await upgrade(database)
    yield database
    await database.close()


async def test_migrations_reach_head_and_match_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        current = await connection.run_sync(
            lambda c: set(MigrationContext.configure(c).get_current_heads())
        )
        diff = await connection.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
            )
        )
    assert current == head_revisions()
    assert diff == [], f"models differ from the migrations: {diff}"


async def test_upgrade_is_idempotent(db: Database) -> None:
    before, after = await upgrade(db)
    assert before == after == head_revisions()


async def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with database.read() as session:
            journal = (await session.execute(text("PRAGMA journal_mode"))).scalar()
            foreign_keys = (await session.execute(text("PRAGMA foreign_keys"))).scalar()
        assert journal == "wal"
        assert foreign_keys == 1
    finally:
        await database.close()


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            session.add(Group(community_id="nowhere", channel="local", chat_id="x", name="x"))


async def test_datetimes_come_back_aware_utc(db: Database) -> None:
    moment = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    async with db.transaction() as session:
        session.add(Community(id="canalejas", name="Canalejas", created_at=moment))
    async with db.read() as session:
        row = await session.get(Community, "canalejas")
    assert row is not None and row.created_at == moment and row.created_at.tzinfo is not None


async def test_insert_ignore_deduplicates(db: Database) -> None:
    values = {
        "dedupe_key": "local:a:1",
        "channel": "local",
        "chat_key": "local:c",
        "kind": "k",
        "payload": {"a": 1},
        "status": "pending",
        "attempts": 0,
        "received_at": datetime.now(UTC),
    }
    async with db.transaction() as session:
        first = await insert_ignore(
            session, InboundEvent.__table__, values, conflict=["dedupe_key"]
        )
        second = await insert_ignore(
            session, InboundEvent.__table__, values, conflict=["dedupe_key"]
        )
    assert first is not None and second is None
    async with db.read() as session:
        count = len((await session.execute(select(InboundEvent))).scalars().all())
    assert count == 1


async def test_identities_with_the_same_phone_are_one_person(db: Database) -> None:
    async with db.transaction() as session:
        wa, wa_person = await identity_for(
            session,
            UserRef(channel="whatsapp", user_id="5217611234567@c.us", phone="+5217611234567"),
        )
        tg, tg_person = await identity_for(
            session, UserRef(channel="telegram", user_id="99", phone="761 123 4567")
        )
        again, again_person = await identity_for(
            session, UserRef(channel="whatsapp", user_id="5217611234567@c.us", display_name="Ana")
        )
    assert wa_person.id == tg_person.id == again_person.id
    assert wa_person.phone == "+527611234567"
    assert again.id == wa.id and again.display_name == "Ana"
    assert tg.id != wa.id
    async with db.read() as session:
        assert len((await session.execute(select(Person))).scalars().all()) == 1


async def test_an_identity_created_meanwhile_by_another_transaction_is_reused(
    db: Database,
) -> None:
    # A WhatsApp join webhook and the result of our own add may both see a new member first.
    user = UserRef(channel="whatsapp", user_id="527615550101@c.us", display_name="Lupita")
    started = asyncio.Event()

    async def the_other() -> int:
        started.set()
        async with db.transaction() as session:
            identity, _ = await identity_for(session, user)
            return identity.id

    async with db.transaction() as session:
        first, _ = await identity_for(session, user)
        other = asyncio.create_task(the_other())
        await started.wait()
        await asyncio.sleep(0.2)  # on PostgreSQL its insert now waits for this transaction
    assert await other == first.id
    async with db.read() as session:
        assert len((await session.execute(select(Person))).scalars().all()) == 1

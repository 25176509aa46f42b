"""People and their identities: a phone number, or an approved admission, links identities."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cassbot.events import UserRef
from cassbot.people import identity_for, link_identity
from cassbot.storage.db import Database
from cassbot.storage.migrate import upgrade
from cassbot.storage.models import (
    Community,
    CommunityBan,
    Identity,
    ModerationCase,
    Person,
    PointsRecord,
)

NOW = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
PHONE = "+527615550101"
TELEGRAM = UserRef(channel="telegram", user_id="1001", display_name="Lupita M.")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await upgrade(database)
    async with database.transaction() as session:
        session.add(Community(id="canalejas", name="Villa de Canalejas"))
    yield database
    await database.close()


async def a_person_with_a_phone(db: Database) -> int:
    async with db.transaction() as session:
        person = Person(display_name="Guadalupe Martínez", phone=PHONE)
        session.add(person)
        await session.flush()
        return int(person.id)


async def test_a_placeholder_hands_its_records_over_when_its_identity_is_linked(
    db: Database,
) -> None:
    applicant_id = await a_person_with_a_phone(db)
    # Seen on Telegram first, without a phone: a placeholder person with a warning and a ban.
    async with db.transaction() as session:
        identity, placeholder = await identity_for(session, TELEGRAM, now=NOW)
        case = ModerationCase(
            community_id="canalejas",
            subject_identity_id=identity.id,
            subject_person_id=placeholder.id,
            source="auto",
            rule_id="ctx.aimed_insult",
            category="insult",
            status="applied",
            points=1,
        )
        session.add(case)
        await session.flush()
        session.add(
            PointsRecord(
                community_id="canalejas",
                person_id=placeholder.id,
                case_id=case.id,
                points=1,
                rule_id="ctx.aimed_insult",
                at=NOW,
            )
        )
        session.add(CommunityBan(community_id="canalejas", person_id=placeholder.id))
        placeholder_id = placeholder.id

    async with db.transaction() as session:
        identity, _ = await identity_for(session, TELEGRAM)
        applicant = await session.get(Person, applicant_id)
        assert applicant is not None
        assert await link_identity(session, identity, applicant) is True

    async with db.read() as session:
        identity = (await session.execute(select(Identity))).scalar_one()
        assert identity.person_id == applicant_id
        assert await session.get(Person, placeholder_id) is None
        case_person = (await session.execute(select(ModerationCase.subject_person_id))).scalar()
        points_person = (await session.execute(select(PointsRecord.person_id))).scalar()
        ban_person = (await session.execute(select(CommunityBan.person_id))).scalar()
    assert case_person == points_person == ban_person == applicant_id


async def test_an_identity_of_someone_with_another_number_is_left_alone(db: Database) -> None:
    applicant_id = await a_person_with_a_phone(db)
    async with db.transaction() as session:
        other = Person(display_name="Otra persona", phone="+527615550999")
        session.add(other)
        await session.flush()
        identity = Identity(person_id=other.id, channel="telegram", user_id="1001")
        session.add(identity)
        await session.flush()
        applicant = await session.get(Person, applicant_id)
        assert applicant is not None
        assert await link_identity(session, identity, applicant) is False
        assert identity.person_id == other.id


async def test_a_phone_learned_later_joins_the_identity_to_that_number_s_person(
    db: Database,
) -> None:
    """E.g. someone known on Telegram shares their own contact with the bot after registering."""
    applicant_id = await a_person_with_a_phone(db)
    async with db.transaction() as session:
        await identity_for(session, TELEGRAM, now=NOW)
    async with db.transaction() as session:
        identity, person = await identity_for(
            session, TELEGRAM.model_copy(update={"phone": PHONE})
        )
        assert (identity.person_id, person.id) == (applicant_id, applicant_id)
    async with db.read() as session:
        persons = (await session.execute(select(Person.id))).scalars().all()
    assert persons == [applicant_id]  # the placeholder is gone

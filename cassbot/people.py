"""Repository for people, their channel identities, memberships and community bans."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.events import UserRef
from cassbot.phones import normalise_phone
from cassbot.storage.models import Base, CommunityBan, Group, Identity, Membership, Person


async def identity_for(
    session: AsyncSession, user: UserRef, *, now: datetime | None = None
) -> tuple[Identity, Person]:
    """The identity behind a platform user, created with its person on first sight.

    A phone number links identities across channels: a new identity whose phone matches a
    known person joins that person.
    """
    identity = await _identity(session, user)
    phone = normalise_phone(user.phone) if user.phone else None
    if identity is not None:
        person = await session.get(Person, identity.person_id)
        assert person is not None
        if user.display_name and identity.display_name != user.display_name:
            identity.display_name = user.display_name
        if phone and not identity.phone:
            identity.phone = phone
            if person.phone is None:
                known = await person_by_phone(session, phone)
                if known is None:
                    person.phone = phone
                elif await link_identity(session, identity, known):
                    person = known  # the number says whose identity this is
        if now is not None:
            identity.last_seen_at = now
        return identity, person
    try:
        async with session.begin_nested():
            person = await person_by_phone(session, phone) if phone else None
            if person is None:
                person = Person(display_name=user.display_name, phone=phone)
                session.add(person)
                await session.flush()
            identity = Identity(
                person_id=person.id,
                channel=user.channel,
                user_id=user.user_id,
                display_name=user.display_name,
                phone=phone,
                last_seen_at=now,
            )
            session.add(identity)
            await session.flush()
    except IntegrityError:
        # Another transaction created it meanwhile (e.g. a gateway's join webhook racing the
        # result of our own add on PostgreSQL): use that one instead of failing the event.
        if await _identity(session, user) is None:
            raise
        return await identity_for(session, user, now=now)
    return identity, person


async def link_identity(session: AsyncSession, identity: Identity, person: Person) -> bool:
    """Make `identity` one of `person`'s, as a phone number or an approved admission proves.

    An identity first seen without a phone got a placeholder person of its own; that
    placeholder hands everything recorded about it (cases, points, bans, requests…) over to
    `person` and is deleted, so warnings and bans follow the human across channels. An
    identity that already belongs to someone with a phone number is left alone and False is
    returned: two numbers are two people, and only an official may say otherwise.
    """
    if identity.person_id == person.id:
        return True
    former = await session.get(Person, identity.person_id)
    if former is not None and former.phone is not None:
        return False
    identity.person_id = person.id
    if former is not None:
        await _hand_over(session, former, person)
    await session.flush()
    return True


async def _hand_over(session: AsyncSession, former: Person, person: Person) -> None:
    """Point every record about `former` at `person`, then delete `former`."""
    await session.flush()
    for mapper in Base.registry.mappers:
        for column in mapper.columns:
            if not any(fk.column.table.name == Person.__tablename__ for fk in column.foreign_keys):
                continue
            key = mapper.get_property_by_column(column).key
            await session.execute(
                update(mapper.class_)
                .where(getattr(mapper.class_, key) == former.id)
                .values({key: person.id})
            )
    if not person.display_name:
        person.display_name = former.display_name
    await session.delete(former)


async def _identity(session: AsyncSession, user: UserRef) -> Identity | None:
    return (
        await session.execute(
            select(Identity).where(
                Identity.channel == user.channel, Identity.user_id == user.user_id
            )
        )
    ).scalar_one_or_none()


async def person_by_phone(session: AsyncSession, phone: str) -> Person | None:
    return (
        await session.execute(select(Person).where(Person.phone == phone))
    ).scalar_one_or_none()


async def membership_of(
    session: AsyncSession, group: Group, identity: Identity
) -> Membership | None:
    return (
        await session.execute(
            select(Membership).where(
                Membership.group_id == group.id, Membership.identity_id == identity.id
            )
        )
    ).scalar_one_or_none()


async def ensure_membership(
    session: AsyncSession,
    group: Group,
    identity: Identity,
    *,
    now: datetime,
    source: str = "event",
) -> Membership:
    membership = await membership_of(session, group, identity)
    if membership is None:
        membership = Membership(
            group_id=group.id,
            identity_id=identity.id,
            status="active",
            role="vecino",
            platform_admin=False,
            source=source,
            joined_at=now,
            message_count=0,
        )
        session.add(membership)
        await session.flush()
    return membership


async def active_ban(
    session: AsyncSession, community_id: str, person_id: int
) -> CommunityBan | None:
    return (
        await session.execute(
            select(CommunityBan)
            .where(
                CommunityBan.community_id == community_id,
                CommunityBan.person_id == person_id,
                CommunityBan.lifted_at.is_(None),
            )
            .order_by(CommunityBan.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def group_by_chat(session: AsyncSession, channel: str, chat_id: str) -> Group | None:
    return (
        await session.execute(
            select(Group).where(Group.channel == channel, Group.chat_id == chat_id)
        )
    ).scalar_one_or_none()

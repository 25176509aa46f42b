"""Rosters: who is in each group, since when, with which role; officials made admins; CSV.

Roles: vecino, autoridad local (set by an official), funcionario and administrador (the
configured officials, and members who are admins on the platform).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.actions import Action, ActionResult, SetAdmin
from cassbot.adapter import Capability
from cassbot.csvsafe import spreadsheet_safe
from cassbot.events import UserRef
from cassbot.people import group_by_chat
from cassbot.registration.common import Actor, DecisionError, audit
from cassbot.storage.models import (
    Group,
    Identity,
    MemberReview,
    Membership,
    OutboxAction,
    Person,
    RegistrationRequest,
)

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

SETTABLE_ROLES = ("vecino", "autoridad_local", "administrador")


async def plan_official_admin(
    app: CassBot,
    session: AsyncSession,
    group: Group,
    membership: Membership,
    user: UserRef,
    *,
    now: datetime,
) -> bool:
    """Queue SetAdmin for an official who is in the group without admin rights (once a day)."""
    if membership.platform_admin or membership.status != "active":
        return False
    adapter = app.adapters.get(group.channel)
    if adapter is None or not adapter.supports(Capability.SET_ADMIN):
        return False
    queued = await app.outbox.enqueue(
        session,
        SetAdmin(
            chat=_chat(group),
            user=UserRef(
                channel=user.channel, user_id=user.user_id, display_name=user.display_name
            ),
        ),
        key=f"set_admin:{membership.id}:{now:%Y-%m-%d}",
        purpose="official_admin",
        community_id=group.community_id,
    )
    if queued is not None:
        await audit(
            session,
            now,
            "official_admin_planned",
            community_id=group.community_id,
            group_id=group.id,
            subject_identity_id=membership.identity_id,
        )
    return queued is not None


def _chat(group: Group):  # type: ignore[no-untyped-def]
    from cassbot.events import ChatRef

    return ChatRef(channel=group.channel, chat_id=group.chat_id)


def install_roster_upkeep(app: CassBot) -> None:
    async def on_set_admin(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        if row.status != "done" or not isinstance(action, SetAdmin):
            return
        group = await group_by_chat(session, action.chat.channel, action.chat.chat_id)
        identity = (
            await session.execute(
                select(Identity).where(
                    Identity.channel == action.user.channel,
                    Identity.user_id == action.user.user_id,
                )
            )
        ).scalar_one_or_none()
        if group is None or identity is None:
            return
        membership = (
            await session.execute(
                select(Membership).where(
                    Membership.group_id == group.id, Membership.identity_id == identity.id
                )
            )
        ).scalar_one_or_none()
        if membership is not None:
            membership.platform_admin = action.admin

    async def check_officials(now: datetime) -> None:
        """Officials present in a group they cover but without admin rights get promoted."""
        async with app.db.transaction() as session:
            for official in app.directory.officials:
                for user in app.directory.identities_of(official):
                    same = and_(Identity.channel == user.channel, Identity.user_id == user.user_id)
                    if user.channel == "whatsapp" and user.phone:
                        # WhatsApp may show the official by a privacy id (@lid) that the
                        # roster linked to their number.
                        same = or_(
                            same,
                            and_(Identity.channel == user.channel, Identity.phone == user.phone),
                        )
                    rows = (
                        await session.execute(
                            select(Membership, Group, Identity)
                            .join(Group, Group.id == Membership.group_id)
                            .join(Identity, Identity.id == Membership.identity_id)
                            .where(
                                same,
                                Membership.status == "active",
                                Membership.platform_admin.is_(False),
                            )
                        )
                    ).all()
                    for membership, group, identity in rows:
                        if official.covers(group.community_id):
                            # Promote the id the group knows them by.
                            member = UserRef(
                                channel=identity.channel,
                                user_id=identity.user_id,
                                display_name=identity.display_name or user.display_name,
                            )
                            await plan_official_admin(
                                app, session, group, membership, member, now=now
                            )
        app.outbox.wake()

    app.outbox.on_result(on_set_admin, kind="set_admin")
    app.scheduler.every("roster.officials_admin", 3600, check_officials)


@dataclass(frozen=True, slots=True)
class RosterRow:
    membership_id: int
    group: str
    channel: str
    name: str
    phone: str | None
    status: str
    role: str
    platform_admin: bool
    official: bool
    since: datetime | None
    left_at: datetime | None
    last_seen_at: datetime | None
    folio: str | None
    flagged: bool


async def roster(
    app: CassBot,
    session: AsyncSession,
    community_id: str,
    *,
    with_phones: bool,
    include_gone: bool = True,
) -> list[RosterRow]:
    statement = (
        select(Membership, Group, Identity, Person)
        .join(Group, Group.id == Membership.group_id)
        .join(Identity, Identity.id == Membership.identity_id)
        .join(Person, Person.id == Identity.person_id)
        .where(Group.community_id == community_id)
        .order_by(Group.channel, Group.name, Identity.display_name, Membership.id)
    )
    if not include_gone:
        statement = statement.where(Membership.status == "active")
    rows = (await session.execute(statement)).all()
    flagged = set(
        (
            await session.execute(
                select(MemberReview.membership_id).where(MemberReview.resolved_at.is_(None))
            )
        ).scalars()
    )
    folios: dict[int, str] = {}
    for person_id, folio in (
        await session.execute(
            select(RegistrationRequest.person_id, RegistrationRequest.folio).where(
                RegistrationRequest.community_id == community_id,
                RegistrationRequest.status == "approved",
            )
        )
    ).all():
        if person_id is not None:
            folios[person_id] = folio
    result = []
    for membership, group, identity, person in rows:
        official = app.directory.official_for(
            UserRef(channel=identity.channel, user_id=identity.user_id, phone=identity.phone)
        )
        role = membership.role
        if official is not None:
            role = "administrador" if official.role == "administrador" else "funcionario"
        result.append(
            RosterRow(
                membership_id=membership.id,
                group=group.name or group.chat_id,
                channel=group.channel,
                name=identity.display_name or person.display_name or identity.user_id,
                phone=(person.phone or identity.phone) if with_phones else None,
                status=membership.status,
                role=role,
                platform_admin=membership.platform_admin,
                official=official is not None,
                since=membership.joined_at,
                left_at=membership.left_at,
                last_seen_at=membership.last_seen_at,
                folio=folios.get(person.id),
                flagged=membership.id in flagged,
            )
        )
    return result


def _cell(text: str) -> str:
    """Spreadsheet-safe text: a leading formula character is neutralised."""
    return str(spreadsheet_safe(text))


def roster_csv(rows: list[RosterRow], *, with_phones: bool) -> str:
    """CSV for the admins (UTF-8 with BOM so spreadsheet programs read the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["grupo", "canal", "nombre"]
    if with_phones:
        header.append("celular")
    header += [
        "estado",
        "rol",
        "admin_en_el_grupo",
        "desde",
        "salio",
        "ultima_actividad",
        "folio_registro",
        "sin_registro",
    ]
    writer.writerow(header)
    for row in rows:
        line = [_cell(row.group), row.channel, _cell(row.name)]
        if with_phones:
            line.append(row.phone or "")
        line += [
            texts.MEMBER_STATUS_LABELS.get(row.status, row.status),
            texts.ROLE_LABELS.get(row.role, row.role),
            "sí" if row.platform_admin else "no",
            row.since.isoformat() if row.since else "",
            row.left_at.isoformat() if row.left_at else "",
            row.last_seen_at.isoformat() if row.last_seen_at else "",
            row.folio or "",
            "sí" if row.flagged else "no",
        ]
        writer.writerow(line)
    return "\ufeff" + out.getvalue()


async def set_role(
    app: CassBot,
    session: AsyncSession,
    membership_id: int,
    role: str,
    actor: Actor,
    now: datetime,
) -> Membership:
    """An official sets a member's role; making someone administrador promotes them."""
    if role not in SETTABLE_ROLES:
        raise DecisionError("Ese rol no se puede asignar aquí.")
    membership = await session.get(Membership, membership_id)
    if membership is None:
        raise DecisionError("Ese miembro no existe.")
    group = await session.get(Group, membership.group_id)
    identity = await session.get(Identity, membership.identity_id)
    assert group is not None
    assert identity is not None
    previous = membership.role
    membership.role = role
    if (role == "administrador") != (previous == "administrador"):
        adapter = app.adapters.get(group.channel)
        if adapter is not None and adapter.supports(Capability.SET_ADMIN):
            await app.outbox.enqueue(
                session,
                SetAdmin(
                    chat=_chat(group),
                    user=UserRef(channel=identity.channel, user_id=identity.user_id),
                    admin=role == "administrador",
                ),
                key=f"set_admin:{membership.id}:role:{now:%Y%m%d%H%M%S}",
                purpose="role_set",
                community_id=group.community_id,
            )
    await audit(
        session,
        now,
        "member_role_set",
        community_id=group.community_id,
        group_id=group.id,
        actor=actor,
        subject_identity_id=identity.id,
        detail={"from": previous, "to": role},
    )
    return membership


async def accept_member(
    session: AsyncSession, membership_id: int, actor: Actor, now: datetime
) -> None:
    """An official accepts a member who joined without a request (the flag is cleared)."""
    review = (
        await session.execute(
            select(MemberReview).where(MemberReview.membership_id == membership_id)
        )
    ).scalar_one_or_none()
    if review is None or review.resolved_at is not None:
        raise DecisionError("Ese miembro no está pendiente de revisión.")
    review.resolved_at = now
    review.resolved_by = actor.name
    review.resolution = "accepted"
    membership = await session.get(Membership, membership_id)
    group = await session.get(Group, membership.group_id) if membership else None
    await audit(
        session,
        now,
        "member_accepted",
        community_id=group.community_id if group else None,
        group_id=group.id if group else None,
        actor=actor,
        subject_identity_id=membership.identity_id if membership else None,
    )

"""Admission: putting an approved person into each group of their community.

Capability-driven, so every channel gets the best it can do:
- the channel can add members (`AddMember`: WhatsApp through the gateway, the playground) and
  we know the person's identity there → add them; if the add fails (privacy settings, not a
  contact…) the result hook falls back to a one-time invite link;
- else the channel makes invite links (`CreateInviteLink`: Telegram) → a one-time link,
  shown on the status page and sent privately wherever the bot can write to the person;
- else the officials are asked to add the person by hand.
Every step is an outbox action (retried, recorded) and an audit entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.actions import Action, ActionResult, AddMember, CreateInviteLink, SendMessage
from cassbot.adapter import Capability
from cassbot.events import ChatRef, UserRef
from cassbot.notify import notify_officials
from cassbot.people import ensure_membership, group_by_chat, identity_for
from cassbot.registration.common import audit
from cassbot.registration.identities import private_chats, user_on
from cassbot.storage.models import Admission, Group, Identity, OutboxAction, Person

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

KEY_PREFIX = "admission:"


@dataclass(frozen=True, slots=True)
class Planned:
    admission: Admission
    group_name: str
    line: str  # for the officials' notice


async def admit(
    app: CassBot,
    session: AsyncSession,
    *,
    person: Person,
    community_id: str,
    name: str,
    phone: str | None,
    folio: str,
    now: datetime,
    request_id: int | None = None,
    appeal_id: int | None = None,
) -> list[Planned]:
    """Plan the person's entry into every group of the community; returns what was planned."""
    planned: list[Planned] = []
    for place in app.directory.groups(community_id):
        group = await group_by_chat(session, place.group.channel, place.group.chat_id)
        if group is None:
            group = await app.sync_group(session, place)
        channel = place.group.channel
        group_name = place.group.name or place.community.name
        fields = {
            "group": group_name,
            "channel": texts.CHANNEL_NAMES.get(channel, channel),
            "phone": phone or "—",
        }
        adapter = app.adapters.get(channel)
        user = (
            await user_on(app, session, channel, phone=phone, name=name, person_id=person.id)
            if adapter is not None
            else None
        )
        if adapter is None:
            method, line = "manual", texts.ADMIT_LINE_NO_CHANNEL.format(**fields)
        elif user is not None and adapter.supports(Capability.ADD_MEMBER):
            method, line = "add", texts.ADMIT_LINE_ADD.format(**fields)
        elif adapter.supports(Capability.INVITE_LINK):
            method, line = "invite", texts.ADMIT_LINE_INVITE.format(**fields)
        else:
            method, line = "manual", texts.ADMIT_LINE_MANUAL.format(**fields)
        admission = Admission(
            request_id=request_id,
            appeal_id=appeal_id,
            person_id=person.id,
            community_id=community_id,
            group_id=group.id,
            channel=channel,
            user_id=user.user_id if user else None,
            method=method,
            status="manual" if method == "manual" else "planned",
            detail="",
            created_at=now,
            updated_at=now,
        )
        session.add(admission)
        await session.flush()
        if method == "add":
            assert user is not None
            await app.outbox.enqueue(
                session,
                AddMember(chat=place.chat, user=user, invite_on_refusal=False),
                key=f"{KEY_PREFIX}{admission.id}:add",
                purpose="admission_add",
                community_id=community_id,
            )
        elif method == "invite":
            await _plan_invite(app, session, admission, place.chat, user)
        await audit(
            session,
            now,
            "admission_planned",
            community_id=community_id,
            group_id=group.id,
            detail={"folio": folio, "method": method, "admission_id": admission.id},
        )
        planned.append(Planned(admission, group_name, line))
    return planned


async def _plan_invite(
    app: CassBot, session: AsyncSession, admission: Admission, chat: ChatRef, user: UserRef | None
) -> None:
    admission.method = "invite"
    admission.status = "invite_pending"
    await app.outbox.enqueue(
        session,
        CreateInviteLink(
            chat=chat,
            user=user,
            expire_hours=app.settings.registration.invite_expire_hours,
        ),
        key=f"{KEY_PREFIX}{admission.id}:invite",
        purpose="admission_invite",
        community_id=admission.community_id,
    )


def install_admission_hooks(app: CassBot) -> None:
    async def on_add(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        admission = await _admission_of(session, row)
        if admission is None or row.status not in ("done", "failed"):
            return
        assert isinstance(action, AddMember)
        now = app.clock.now()
        if row.status == "done":
            # The member before the admission: the platform's join event, processed meanwhile,
            # takes them in this order too, so PostgreSQL cannot deadlock the two.
            member = await identity_for(session, action.user, now=now)
            admission.updated_at = now
            await _added(app, session, admission, action, member, now)
            return
        admission.updated_at = now
        admission.detail = f"{result.status}: {result.detail}"[:1000]
        await audit(
            session,
            now,
            "admission_add_failed",
            community_id=admission.community_id,
            group_id=admission.group_id,
            detail={"admission_id": admission.id, "result": result.status},
        )
        adapter = app.adapters.get(admission.channel)
        if adapter is not None and adapter.supports(Capability.INVITE_LINK):
            await _plan_invite(app, session, admission, action.chat, action.user)
        else:
            await _give_up(app, session, admission, result)

    async def on_invite(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        admission = await _admission_of(session, row)
        if admission is None or row.status not in ("done", "failed"):
            return
        assert isinstance(action, CreateInviteLink)
        now = app.clock.now()
        admission.updated_at = now
        if row.status == "failed" or not result.platform_ref:
            admission.detail = f"{result.status}: {result.detail}"[:1000]
            await _give_up(app, session, admission, result)
            return
        admission.invite_link = result.platform_ref
        admission.status = "invite_sent"
        await _send_invite(app, session, admission)
        await audit(
            session,
            now,
            "invite_link_created",
            community_id=admission.community_id,
            group_id=admission.group_id,
            detail={"admission_id": admission.id},
        )

    app.outbox.on_result(on_add, kind="add")
    app.outbox.on_result(on_invite, kind="invite_link")


async def _admission_of(session: AsyncSession, row: OutboxAction) -> Admission | None:
    key = row.idempotency_key
    if not key.startswith(KEY_PREFIX):
        return None
    try:
        admission_id = int(key[len(KEY_PREFIX) :].split(":", 1)[0])
    except ValueError:
        return None
    return await session.get(Admission, admission_id)


async def _added(
    app: CassBot,
    session: AsyncSession,
    admission: Admission,
    action: AddMember,
    member: tuple[Identity, Person],
    now: datetime,
) -> None:
    if admission.status != "joined":  # the platform may report the join before this result
        admission.status = "added"
    group = await session.get(Group, admission.group_id)
    assert group is not None
    identity, identity_person = member
    if identity.person_id != admission.person_id and identity_person.phone is None:
        identity.person_id = admission.person_id  # the approved phone links this identity
    membership = await ensure_membership(session, group, identity, now=now, source="admission")
    membership.status = "active"
    membership.joined_at = membership.joined_at or now
    membership.left_at = None
    await audit(
        session,
        now,
        "member_added",
        community_id=admission.community_id,
        group_id=group.id,
        subject_identity_id=identity.id,
        detail={"admission_id": admission.id},
    )
    adapter = app.adapters.get(admission.channel)
    person = await session.get(Person, admission.person_id)
    chats = await private_chats(
        app,
        session,
        phone=person.phone if person else None,
        name=action.user.display_name,
        person_id=admission.person_id,
        only=admission.channel,
    )
    if adapter is not None and chats:
        await app.outbox.enqueue(
            session,
            SendMessage(
                chat=chats[0],
                text=texts.ADMIT_WELCOME.format(
                    group=group.name, folio=await _folio(session, admission)
                ),
            ),
            key=f"{KEY_PREFIX}{admission.id}:welcome",
            purpose="admission_welcome",
            community_id=admission.community_id,
        )


async def _send_invite(app: CassBot, session: AsyncSession, admission: Admission) -> None:
    group = await session.get(Group, admission.group_id)
    person = await session.get(Person, admission.person_id)
    if group is None or person is None:
        return
    # `detail` holds why an add failed; empty when the channel only ever offered a link.
    template = texts.ADMIT_INVITE_AFTER_REFUSAL if admission.detail else texts.ADMIT_INVITE
    text = template.format(
        folio=await _folio(session, admission), group=group.name, link=admission.invite_link
    )
    for chat in await private_chats(
        app, session, phone=person.phone, name=person.display_name, person_id=person.id
    ):
        await app.outbox.enqueue(
            session,
            SendMessage(chat=chat, text=text),
            key=f"{KEY_PREFIX}{admission.id}:invite:dm:{chat.channel}",
            purpose="admission_invite_dm",
            community_id=admission.community_id,
        )


async def _give_up(
    app: CassBot, session: AsyncSession, admission: Admission, result: ActionResult
) -> None:
    admission.status = "failed"
    group = await session.get(Group, admission.group_id)
    person = await session.get(Person, admission.person_id)
    text = texts.ADMIT_FAILED_OFFICIALS.format(
        name=person.display_name if person else "?",
        group=group.name if group else "?",
        channel=texts.CHANNEL_NAMES.get(admission.channel, admission.channel),
        detail=result.detail or result.status,
        phone=(person.phone if person else None) or "—",
    )
    await notify_officials(
        app,
        session,
        app.directory.officials_for(admission.community_id),
        text,
        key=f"{KEY_PREFIX}{admission.id}:failed",
        purpose="admission_failed",
        community_id=admission.community_id,
        email_subject=text[:120],
    )
    await audit(
        session,
        app.clock.now(),
        "admission_failed",
        community_id=admission.community_id,
        group_id=admission.group_id,
        detail={"admission_id": admission.id, "result": result.status},
    )


async def _folio(session: AsyncSession, admission: Admission) -> str:
    from cassbot.storage.models import Appeal, RegistrationRequest

    if admission.request_id is not None:
        request = await session.get(RegistrationRequest, admission.request_id)
        return request.folio if request else ""
    if admission.appeal_id is not None:
        appeal = await session.get(Appeal, admission.appeal_id)
        return appeal.folio if appeal else ""
    return ""


async def admissions_for_request(session: AsyncSession, request_id: int) -> list[Admission]:
    return list(
        (
            await session.execute(
                select(Admission).where(Admission.request_id == request_id).order_by(Admission.id)
            )
        ).scalars()
    )

"""Appeals against an expulsion: filed in private chat (/apelar) or on the web (/apelacion),
decided by an official other than the one who expelled the person (`CommunityBan.banned_by`).
An upheld appeal lifts the ban and readmits the person through the admission flow."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.events import ChatRef
from cassbot.notify import notify_officials
from cassbot.registration.access import code_matches, new_code
from cassbot.registration.admission import admit
from cassbot.registration.bans import lift_ban
from cassbot.registration.common import Actor, DecisionError, audit, mail_mailbox
from cassbot.registration.dates import show
from cassbot.registration.deadlines import reviewers, start_clock, stop_clock
from cassbot.registration.folios import next_folio
from cassbot.registration.notices import tell_person
from cassbot.storage.models import Appeal, CommunityBan, Person

if TYPE_CHECKING:
    from cassbot.app import CassBot


class DuplicateAppeal(Exception):
    def __init__(self, folio: str) -> None:
        super().__init__(folio)
        self.folio = folio


async def pending_appeal(session: AsyncSession, ban_id: int) -> Appeal | None:
    return (
        await session.execute(
            select(Appeal).where(Appeal.ban_id == ban_id, Appeal.status == "pending")
        )
    ).scalar_one_or_none()


async def active_bans_of(session: AsyncSession, person_id: int) -> list[CommunityBan]:
    return list(
        (
            await session.execute(
                select(CommunityBan)
                .where(CommunityBan.person_id == person_id, CommunityBan.lifted_at.is_(None))
                .order_by(CommunityBan.id)
            )
        ).scalars()
    )


async def file_appeal(
    app: CassBot,
    session: AsyncSession,
    *,
    ban: CommunityBan,
    text: str,
    source: str,
    now: datetime,
    channel: str | None = None,
    user_id: str | None = None,
) -> Appeal:
    existing = await pending_appeal(session, ban.id)
    if existing is not None:
        raise DuplicateAppeal(existing.folio)
    person = await session.get(Person, ban.person_id)
    appeal = Appeal(
        folio=await next_folio(session, "APE", now),
        access_code=new_code(),
        ban_id=ban.id,
        person_id=ban.person_id,
        community_id=ban.community_id,
        text=text,
        phone=person.phone if person else None,
        source=source,
        channel=channel,
        user_id=user_id,
        status="pending",
        created_at=now,
        due_at=now + timedelta(hours=app.settings.registration.review_hours),
    )
    session.add(appeal)
    await session.flush()
    await start_clock(app, session, "appeal", appeal)
    community = app.directory.community(ban.community_id)
    fields = {
        "folio": appeal.folio,
        "community": community.name if community else ban.community_id,
        "reason": ban.reason or "sin motivo registrado",
        "banned_by": ban.banned_by,
        "text": text,
        "due": show(appeal.due_at),
        "url": app.base_url,
    }
    body = texts.MAIL_NEW_APPEAL.format(**fields)
    subject = texts.MAIL_NEW_APPEAL_SUBJECT.format(**fields)
    # Routed to the reviewers other than the official who expelled the person.
    await notify_officials(
        app,
        session,
        await reviewers(app, session, "appeal", appeal),
        body,
        key=f"appeal:{appeal.id}:new",
        purpose="appeal_new",
        community_id=ban.community_id,
        email_subject=subject,
    )
    await mail_mailbox(
        app, session, subject, body, key=f"appeal:{appeal.id}:mailbox", purpose="appeal_new"
    )
    await audit(
        session,
        now,
        "appeal_filed",
        community_id=ban.community_id,
        detail={"folio": appeal.folio, "ban_id": ban.id, "source": source},
    )
    return appeal


async def find_appeal(session: AsyncSession, folio: str, code: str) -> Appeal | None:
    """An appeal by folio and access code together: the folio alone reveals nothing."""
    appeal = await appeal_by_folio(session, folio)
    return appeal if code_matches(appeal.access_code if appeal else None, code) else None


async def appeal_by_folio(session: AsyncSession, folio: str) -> Appeal | None:
    return (
        await session.execute(select(Appeal).where(Appeal.folio == folio))
    ).scalar_one_or_none()


async def check_decider(session: AsyncSession, appeal: Appeal, actor: Actor) -> CommunityBan:
    ban = await session.get(CommunityBan, appeal.ban_id)
    assert ban is not None
    if actor.same_person_as(ban.banned_by):
        raise DecisionError(texts.APPEAL_SAME_OFFICIAL.format(banned_by=ban.banned_by))
    return ban


async def decide_appeal(
    app: CassBot,
    session: AsyncSession,
    appeal: Appeal,
    actor: Actor,
    *,
    uphold: bool,
    reason: str,
    now: datetime,
) -> None:
    ban = await check_decider(session, appeal, actor)
    if appeal.status != "pending":
        raise DecisionError(
            texts.DECISION_ALREADY.format(
                status=texts.REG_STATUS.get(appeal.status, appeal.status)
            )
        )
    reason = reason.strip()
    if not uphold and not reason:
        raise DecisionError(texts.DECISION_REASON_MISSING)
    appeal.status = "upheld" if uphold else "rejected"
    appeal.decided_at = now
    appeal.decided_by = actor.name
    appeal.decision_reason = reason or None
    await stop_clock(session, "appeal", appeal.id)
    person = await session.get(Person, appeal.person_id)
    community = app.directory.community(appeal.community_id)
    community_name = community.name if community else appeal.community_id
    reply_to = (
        ChatRef(channel=appeal.channel, chat_id=appeal.user_id, private=True)
        if appeal.channel and appeal.user_id
        else None
    )
    if reply_to is not None:
        adapter = app.adapters.get(reply_to.channel)
        from cassbot.events import UserRef

        user = UserRef(channel=reply_to.channel, user_id=appeal.user_id or "")
        reply_to = adapter.private_chat(user) if adapter else None
    if uphold:
        if ban.lifted_at is None:
            await lift_ban(app, session, ban, actor, f"apelación {appeal.folio} procedente", now)
        if person is not None:
            planned = await admit(
                app,
                session,
                person=person,
                community_id=appeal.community_id,
                name=person.display_name or "",
                phone=person.phone,
                folio=appeal.folio,
                now=now,
                appeal_id=appeal.id,
            )
            await notify_officials(
                app,
                session,
                app.directory.officials_for(appeal.community_id),
                texts.ADMIT_OFFICIALS.format(
                    decider=actor.name,
                    folio=appeal.folio,
                    name=person.display_name or "la persona",
                    community=community_name,
                    lines="\n".join(p.line for p in planned),
                ),
                key=f"appeal:{appeal.id}:readmit",
                purpose="appeal_upheld",
                community_id=appeal.community_id,
                email_subject=texts.ADMIT_OFFICIALS_SUBJECT.format(
                    community=community_name, name=person.display_name or ""
                ),
            )
        text = texts.APPEAL_UPHELD_PRIVATE.format(folio=appeal.folio, community=community_name)
    else:
        text = texts.APPEAL_REJECTED_PRIVATE.format(folio=appeal.folio, reason=reason)
    await tell_person(
        app,
        session,
        text,
        key=f"appeal:{appeal.id}:decided",
        purpose="appeal_decided",
        phone=person.phone if person else None,
        name=person.display_name if person else None,
        person_id=appeal.person_id,
        also=reply_to,
        community_id=appeal.community_id,
    )
    await audit(
        session,
        now,
        "appeal_upheld" if uphold else "appeal_rejected",
        community_id=appeal.community_id,
        actor=actor,
        detail={"folio": appeal.folio, "ban_id": ban.id, "banned_by": ban.banned_by},
    )

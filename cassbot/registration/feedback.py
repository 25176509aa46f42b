"""Complaints and suggestions for Gobierno Digital, by chat (/queja, /sugerencia) or the web
(/contacto), each with a folio and the 24-hour answer promise."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.events import ChatRef, UserRef
from cassbot.registration.access import code_matches, new_code
from cassbot.registration.common import Actor, DecisionError, audit, mail_mailbox
from cassbot.registration.dates import show
from cassbot.registration.deadlines import reviewers, start_clock, stop_clock
from cassbot.registration.folios import PREFIXES, next_folio
from cassbot.registration.notices import tell_person
from cassbot.storage.models import FeedbackItem

if TYPE_CHECKING:
    from cassbot.app import CassBot


async def file_feedback(
    app: CassBot,
    session: AsyncSession,
    *,
    kind: str,
    text: str,
    source: str,
    now: datetime,
    name: str | None = None,
    phone: str | None = None,
    community_id: str | None = None,
    channel: str | None = None,
    user_id: str | None = None,
    person_id: int | None = None,
) -> FeedbackItem:
    item = FeedbackItem(
        folio=await next_folio(session, PREFIXES[kind], now),
        access_code=new_code(),
        kind=kind,
        community_id=community_id,
        name=name,
        phone=phone,
        text=text,
        source=source,
        channel=channel,
        user_id=user_id,
        person_id=person_id,
        status="open",
        created_at=now,
        due_at=now + timedelta(hours=app.settings.registration.review_hours),
    )
    session.add(item)
    await session.flush()
    await start_clock(app, session, "feedback", item)
    community = app.directory.community(community_id) if community_id else None
    fields = {
        "kind": texts.FEEDBACK_KIND_NAMES[kind],
        "folio": item.folio,
        "source": "por chat" if source == "chat" else "por la página web",
        "name": name or "—",
        "phone": phone or "—",
        "community": community.name if community else "—",
        "text": text,
        "due": show(item.due_at),
        "url": app.base_url,
    }
    await mail_mailbox(
        app,
        session,
        texts.MAIL_NEW_FEEDBACK_SUBJECT.format(**fields),
        texts.MAIL_NEW_FEEDBACK.format(**fields),
        key=f"feedback:{item.id}:mailbox",
        purpose="feedback_new",
    )
    await audit(
        session,
        now,
        "feedback_filed",
        community_id=community_id,
        detail={"folio": item.folio, "kind": kind, "source": source},
    )
    return item


async def find_feedback(session: AsyncSession, folio: str, code: str) -> FeedbackItem | None:
    """A complaint or suggestion by folio and access code together."""
    item = await feedback_by_folio(session, folio)
    return item if code_matches(item.access_code if item else None, code) else None


async def feedback_by_folio(session: AsyncSession, folio: str) -> FeedbackItem | None:
    return (
        await session.execute(select(FeedbackItem).where(FeedbackItem.folio == folio))
    ).scalar_one_or_none()


async def answer_feedback(
    app: CassBot,
    session: AsyncSession,
    item: FeedbackItem,
    actor: Actor,
    answer: str,
    now: datetime,
) -> None:
    if item.status != "open":
        raise DecisionError(texts.DECISION_ALREADY.format(status=texts.REG_STATUS["answered"]))
    answer = answer.strip()
    if not answer:
        raise DecisionError(texts.DECISION_REASON_MISSING)
    item.status = "answered"
    item.answer = answer
    item.answered_at = now
    item.answered_by = actor.name
    await stop_clock(session, "feedback", item.id)
    also = None
    if item.channel and item.user_id:
        adapter = app.adapters.get(item.channel)
        if adapter is not None:
            also = adapter.private_chat(UserRef(channel=item.channel, user_id=item.user_id))
    await tell_person(
        app,
        session,
        texts.FEEDBACK_ANSWER_PRIVATE.format(
            kind=texts.FEEDBACK_KIND_NAMES[item.kind].lower(), folio=item.folio, answer=answer
        ),
        key=f"feedback:{item.id}:answer",
        purpose="feedback_answered",
        phone=item.phone,
        name=item.name,
        person_id=item.person_id,
        also=also if isinstance(also, ChatRef) else None,
        community_id=item.community_id,
    )
    await audit(
        session,
        now,
        "feedback_answered",
        community_id=item.community_id,
        actor=actor,
        detail={"folio": item.folio},
    )


__all__ = ["answer_feedback", "feedback_by_folio", "file_feedback", "find_feedback", "reviewers"]

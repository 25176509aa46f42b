"""The 24-hour promise as database timers: a reminder before the deadline and a notice when it
passes, for registrations, complaints/suggestions and appeals alike.

Reminders go to the reviewers (officials of `registration.reviewer_departments` covering the
community; for an appeal, never the official who expelled the person) and to the mailbox.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.notify import notify_officials
from cassbot.registration.common import mail_mailbox
from cassbot.registration.dates import show
from cassbot.scheduler import Scheduler
from cassbot.settings import OfficialSettings
from cassbot.storage.models import Appeal, CommunityBan, FeedbackItem, RegistrationRequest, Timer

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

TrackedKind = Literal["registration", "feedback", "appeal"]
Tracked = RegistrationRequest | FeedbackItem | Appeal
MODELS: dict[str, type[Tracked]] = {
    "registration": RegistrationRequest,
    "feedback": FeedbackItem,
    "appeal": Appeal,
}
PANEL_PATHS = {
    "registration": "/panel/registros/",
    "feedback": "/panel/quejas/",
    "appeal": "/panel/apelaciones/",
}
REMINDER = "tracked.reminder"
OVERDUE = "tracked.overdue"


def awaiting_us(kind: str, item: Tracked) -> bool:
    """Whether the municipality owes an answer (the clock runs)."""
    if kind == "registration":
        return item.status == "pending"
    if kind == "feedback":
        return item.status == "open"
    return item.status == "pending"


def is_overdue(kind: str, item: Tracked, now: datetime) -> bool:
    return awaiting_us(kind, item) and item.due_at <= now


def _timer_key(kind: str, item_id: int, which: str) -> str:
    return f"tracked:{kind}:{item_id}:{which}"


async def start_clock(
    app: CassBot, session: AsyncSession, kind: TrackedKind, item: Tracked
) -> None:
    before = timedelta(hours=app.settings.registration.reminder_before_hours)
    payload = {"kind": kind, "id": item.id}
    if before > timedelta(0):
        await Scheduler.schedule(
            session, REMINDER, _timer_key(kind, item.id, "reminder"), item.due_at - before, payload
        )
    await Scheduler.schedule(
        session, OVERDUE, _timer_key(kind, item.id, "overdue"), item.due_at, payload
    )


async def stop_clock(session: AsyncSession, kind: TrackedKind, item_id: int) -> None:
    await Scheduler.cancel(session, f"tracked:{kind}:{item_id}:", prefix=True)


async def reviewers(
    app: CassBot, session: AsyncSession, kind: str, item: Tracked
) -> list[OfficialSettings]:
    community = getattr(item, "community_id", None)
    officials = app.directory.officials_for(
        community, departments=app.settings.registration.reviewer_departments
    )
    if isinstance(item, Appeal):
        from cassbot.registration.common import Actor

        ban = await session.get(CommunityBan, item.ban_id)
        banned_by = ban.banned_by if ban else None
        officials = [o for o in officials if not Actor(o.name).same_person_as(banned_by)]
    return officials


def install_deadline_timers(app: CassBot) -> None:
    async def fire(session: AsyncSession, timer: Timer, now: datetime) -> None:
        kind = str(timer.payload.get("kind"))
        model = MODELS.get(kind)
        if model is None:
            logger.warning("timer for an unknown tracked kind", extra={"kind": kind})
            return
        item: Tracked | None = await session.get(model, int(timer.payload["id"]))
        if item is None or not awaiting_us(kind, item):
            return  # answered in time (or the request is waiting for the applicant)
        overdue = timer.kind == OVERDUE
        await remind(app, session, kind, item, overdue=overdue, now=now)

    app.scheduler.on(REMINDER, fire)
    app.scheduler.on(OVERDUE, fire)


async def remind(
    app: CassBot, session: AsyncSession, kind: str, item: Tracked, *, overdue: bool, now: datetime
) -> None:
    community_id = getattr(item, "community_id", None)
    community = app.directory.community(community_id) if community_id else None
    fields = {
        "what": texts.TRACKED_WHAT[kind],
        "folio": item.folio,
        "community": community.name if community else "sin comunidad",
        "due": show(item.due_at),
        "hours": _hours(app),
        "url": app.base_url,
        "path": PANEL_PATHS[kind] + item.folio,
    }
    template, subject = (
        (texts.OVERDUE, texts.OVERDUE_SUBJECT)
        if overdue
        else (texts.REMINDER, texts.REMINDER_SUBJECT)
    )
    which = "overdue" if overdue else "reminder"
    # The due date is part of the key: a request answered by the applicant and due again
    # later gets a fresh reminder.
    key = f"tracked:{kind}:{item.id}:{which}:{item.due_at:%Y%m%d%H%M}"
    officials = await reviewers(app, session, kind, item)
    await notify_officials(
        app,
        session,
        officials,
        template.format(**fields),
        key=key,
        purpose=f"{kind}_{which}",
        community_id=community_id,
        email_subject=subject.format(**fields),
    )
    await mail_mailbox(
        app,
        session,
        subject.format(**fields),
        template.format(**fields),
        key=f"{key}:mailbox",
        purpose=f"{kind}_{which}",
    )
    if overdue:
        item.overdue_notified_at = now
    else:
        item.reminded_at = now
    logger.info(
        "tracked item %s",
        which,
        extra={"kind": kind, "folio": item.folio, "due": str(item.due_at)},
    )


def _hours(app: CassBot) -> str:
    hours = app.settings.registration.review_hours
    return f"{hours:g}"

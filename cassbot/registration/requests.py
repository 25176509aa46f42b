"""Registration requests: submit (folio, 24-hour clock, mailbox), look up, and decide.

Decisions (approve, reject, ask for more information) are the same whether they come from the
panel or the command line; each checks the state it starts from and is audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.notify import notify_officials
from cassbot.people import active_ban, person_by_phone
from cassbot.registration.access import code_matches, new_code, shown
from cassbot.registration.admission import Planned, admit
from cassbot.registration.bans import lift_ban
from cassbot.registration.common import Actor, DecisionError, audit, mail_mailbox
from cassbot.registration.dates import show
from cassbot.registration.deadlines import start_clock, stop_clock
from cassbot.registration.folios import next_folio
from cassbot.registration.notices import tell_person
from cassbot.storage.models import CommunityBan, Person, RegistrationRequest

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

TERMS_VERSION = "2026-12"  # bump when /terminos or /privacidad change materially


class DuplicateRequest(Exception):
    """A request for the number is already open. Its folio is for the officials and the owner
    only: the web form never shows it to whoever typed the number."""

    def __init__(self, request: RegistrationRequest) -> None:
        super().__init__(request.folio)
        self.folio = request.folio
        self.request_id = request.id


@dataclass(frozen=True, slots=True)
class NewRequest:
    full_name: str
    phone: str  # E.164
    community_id: str
    message: str = ""


async def open_request_for(session: AsyncSession, phone: str) -> RegistrationRequest | None:
    return (
        await session.execute(
            select(RegistrationRequest).where(RegistrationRequest.open_phone == phone)
        )
    ).scalar_one_or_none()


async def submit_request(
    app: CassBot, session: AsyncSession, new: NewRequest, now: datetime, *, source: str = "web"
) -> RegistrationRequest:
    """Store a request with its folio and start its clock; DuplicateRequest when one is open."""
    review = timedelta(hours=app.settings.registration.review_hours)
    try:
        async with session.begin_nested():
            existing = await open_request_for(session, new.phone)
            if existing is not None:
                raise DuplicateRequest(existing)
            person = await person_by_phone(session, new.phone)
            ban = await active_ban(session, new.community_id, person.id) if person else None
            request = RegistrationRequest(
                folio=await next_folio(session, "REG", now),
                access_code=new_code(),
                community_id=new.community_id,
                full_name=new.full_name,
                phone=new.phone,
                message=new.message,
                status="pending",
                open_phone=new.phone,
                source=source,
                consent_at=now,
                terms_version=TERMS_VERSION,
                created_at=now,
                due_at=now + review,
                person_id=person.id if person else None,
                held_ban_id=ban.id if ban else None,
            )
            session.add(request)
            await session.flush()
    except IntegrityError:
        # Another request for the same number committed in between (PostgreSQL, concurrent).
        existing = await open_request_for(session, new.phone)
        if existing is None:
            raise
        raise DuplicateRequest(existing) from None
    await start_clock(app, session, "registration", request)
    community = app.directory.community(new.community_id)
    await mail_mailbox(
        app,
        session,
        texts.MAIL_NEW_REQUEST_SUBJECT.format(
            folio=request.folio, community=community.name if community else new.community_id
        ),
        texts.MAIL_NEW_REQUEST.format(
            folio=request.folio,
            name=new.full_name,
            phone=new.phone,
            community=community.name if community else new.community_id,
            message=new.message or "—",
            ban=texts.MAIL_BAN_NOTE.format(reason=ban.reason or "sin motivo") if ban else "",
            due=show(request.due_at),
            url=app.base_url,
        ),
        key=f"registration:{request.id}:mailbox",
        purpose="registration_new",
    )
    await audit(
        session,
        now,
        "registration_submitted",
        community_id=new.community_id,
        detail={"folio": request.folio, "held_by_ban": ban is not None, "source": source},
    )
    logger.info(
        "registration submitted", extra={"folio": request.folio, "community": new.community_id}
    )
    return request


async def find_request(session: AsyncSession, folio: str, code: str) -> RegistrationRequest | None:
    """A request by folio and access code together: the folio alone reveals nothing."""
    request = await by_folio(session, folio)
    if not code_matches(request.access_code if request else None, code):
        return None
    return request


async def resend_access(
    app: CassBot, session: AsyncSession, request: RegistrationRequest, now: datetime
) -> int:
    """Someone typed a number that has an open request: remind the number's owner, privately,
    of the folio and code (never shown to whoever typed it). Returns the chats reached."""
    if request.status not in ("pending", "info_requested") or request.phone is None:
        return 0
    reached = await tell_person(
        app,
        session,
        texts.REG_DUPLICATE_PRIVATE.format(
            folio=request.folio, code=shown(request.access_code), url=app.base_url
        ),
        key=f"registration:{request.id}:code:{now:%Y%m%d%H%M%S}",
        purpose="registration_code",
        phone=request.phone,
        name=request.full_name,
        community_id=request.community_id,
    )
    await audit(
        session,
        now,
        "registration_duplicate",
        community_id=request.community_id,
        detail={"folio": request.folio, "reminded": reached},
    )
    return reached


async def by_folio(session: AsyncSession, folio: str) -> RegistrationRequest | None:
    return (
        await session.execute(
            select(RegistrationRequest).where(RegistrationRequest.folio == folio)
        )
    ).scalar_one_or_none()


async def current_ban(session: AsyncSession, request: RegistrationRequest) -> CommunityBan | None:
    """The ban that holds this request now (one may have been lifted or added since)."""
    if request.phone is None:
        return None
    person = await person_by_phone(session, request.phone)
    if person is None:
        return None
    return await active_ban(session, request.community_id, person.id)


def _ensure_open(request: RegistrationRequest) -> None:
    if request.status not in ("pending", "info_requested"):
        raise DecisionError(
            texts.DECISION_ALREADY.format(
                status=texts.REG_STATUS.get(request.status, request.status)
            )
        )


async def approve(
    app: CassBot,
    session: AsyncSession,
    request: RegistrationRequest,
    actor: Actor,
    now: datetime,
    *,
    lift_ban_confirmed: bool = False,
) -> list[Planned]:
    _ensure_open(request)
    assert request.phone is not None
    ban = await current_ban(session, request)
    if ban is not None and not lift_ban_confirmed:
        raise DecisionError(texts.DECISION_BAN_CONFIRM.format(reason=ban.reason or "sin motivo"))
    person = await person_by_phone(session, request.phone)
    if person is None:
        person = Person(display_name=request.full_name, phone=request.phone, created_at=now)
        session.add(person)
        await session.flush()
    elif not person.display_name:
        person.display_name = request.full_name
    if ban is not None:
        await lift_ban(app, session, ban, actor, f"registro {request.folio} aprobado", now)
    request.status = "approved"
    request.decided_at = now
    request.decided_by = actor.name
    request.open_phone = None
    request.person_id = person.id
    await stop_clock(session, "registration", request.id)
    planned = await admit(
        app,
        session,
        person=person,
        community_id=request.community_id,
        name=request.full_name,
        phone=request.phone,
        folio=request.folio,
        now=now,
        request_id=request.id,
    )
    community = app.directory.community(request.community_id)
    community_name = community.name if community else request.community_id
    text = texts.ADMIT_OFFICIALS.format(
        decider=actor.name,
        folio=request.folio,
        name=request.full_name,
        community=community_name,
        lines="\n".join(p.line for p in planned),
    )
    await notify_officials(
        app,
        session,
        app.directory.officials_for(request.community_id),
        text,
        key=f"registration:{request.id}:approved",
        purpose="registration_approved",
        community_id=request.community_id,
        email_subject=texts.ADMIT_OFFICIALS_SUBJECT.format(
            community=community_name, name=request.full_name
        ),
    )
    await audit(
        session,
        now,
        "registration_approved",
        community_id=request.community_id,
        actor=actor,
        detail={"folio": request.folio, "groups": len(planned), "ban_lifted": ban is not None},
    )
    return planned


async def reject(
    app: CassBot,
    session: AsyncSession,
    request: RegistrationRequest,
    actor: Actor,
    reason: str,
    now: datetime,
) -> None:
    _ensure_open(request)
    reason = reason.strip()
    if not reason:
        raise DecisionError(texts.DECISION_REASON_MISSING)
    request.status = "rejected"
    request.decided_at = now
    request.decided_by = actor.name
    request.decision_reason = reason
    request.open_phone = None
    await stop_clock(session, "registration", request.id)
    await tell_person(
        app,
        session,
        texts.REG_REJECTED_PRIVATE.format(folio=request.folio, reason=reason),
        key=f"registration:{request.id}:rejected",
        purpose="registration_rejected",
        phone=request.phone,
        name=request.full_name,
        community_id=request.community_id,
    )
    await audit(
        session,
        now,
        "registration_rejected",
        community_id=request.community_id,
        actor=actor,
        detail={"folio": request.folio, "reason": reason[:500]},
    )


async def ask_info(
    app: CassBot,
    session: AsyncSession,
    request: RegistrationRequest,
    actor: Actor,
    question: str,
    now: datetime,
) -> None:
    """Ask the applicant something; the clock stops until they answer on the status page."""
    _ensure_open(request)
    question = question.strip()
    if not question:
        raise DecisionError(texts.DECISION_QUESTION_MISSING)
    request.status = "info_requested"
    request.info_question = question
    request.info_asked_at = now
    request.info_asked_by = actor.name
    request.info_answer = None
    request.info_answered_at = None
    await stop_clock(session, "registration", request.id)
    await tell_person(
        app,
        session,
        texts.REG_INFO_PRIVATE.format(
            folio=request.folio,
            code=shown(request.access_code),
            question=question,
            url=app.base_url,
        ),
        key=f"registration:{request.id}:ask:{now:%Y%m%d%H%M%S}",
        purpose="registration_info",
        phone=request.phone,
        name=request.full_name,
        community_id=request.community_id,
    )
    await audit(
        session,
        now,
        "registration_info_requested",
        community_id=request.community_id,
        actor=actor,
        detail={"folio": request.folio},
    )


async def answer_info(
    app: CassBot, session: AsyncSession, request: RegistrationRequest, answer: str, now: datetime
) -> None:
    """The applicant answered: back to review with a fresh 24-hour clock."""
    if request.status != "info_requested":
        raise DecisionError(texts.REG_ANSWER_NOT_EXPECTED)
    request.info_answer = answer
    request.info_answered_at = now
    request.status = "pending"
    request.due_at = now + timedelta(hours=app.settings.registration.review_hours)
    request.reminded_at = None
    request.overdue_notified_at = None
    await start_clock(app, session, "registration", request)
    community = app.directory.community(request.community_id)
    fields = {
        "folio": request.folio,
        "community": community.name if community else "",
        "question": request.info_question or "",
        "answer": answer,
        "due": show(request.due_at),
        "url": app.base_url,
    }
    await mail_mailbox(
        app,
        session,
        texts.REG_ANSWERED_SUBJECT.format(**fields),
        texts.REG_ANSWERED.format(**fields),
        key=f"registration:{request.id}:answer:{now:%Y%m%d%H%M%S}",
        purpose="registration_answer",
    )
    await notify_officials(
        app,
        session,
        app.directory.officials_for(
            request.community_id, departments=app.settings.registration.reviewer_departments
        ),
        texts.REG_ANSWERED.format(**fields),
        key=f"registration:{request.id}:answer:{now:%Y%m%d%H%M%S}",
        purpose="registration_answer",
        community_id=request.community_id,
    )
    await audit(
        session,
        now,
        "registration_info_answered",
        community_id=request.community_id,
        detail={"folio": request.folio},
    )

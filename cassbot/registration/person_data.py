"""A person's data requests: `cassbot privacy export|erase PHONE` (ARCO access and erasure).

Everything is found from the phone number: the persons with it, their identities on each
channel, and from those the registration records, bans, messages, moderation cases, service
requests (tickets) they opened or follow, the audit entries about them, and the messages the
bot sent about them. Erasure anonymises all of it and keeps the aggregates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.phones import normalise_phone
from cassbot.registration.common import Actor, DecisionError, audit
from cassbot.registration.deadlines import stop_clock
from cassbot.registration.privacy import anonymise_appeal, anonymise_feedback, anonymise_request
from cassbot.registration.redaction import (
    ERASED,
    FINISHED,
    scrub_audit,
    scrub_case,
    scrub_outbox,
    scrub_subscriber,
    scrub_ticket,
    scrub_ticket_history,
)
from cassbot.storage.models import (
    Admission,
    Appeal,
    AuditEntry,
    CommunityBan,
    FeedbackItem,
    Group,
    Identity,
    InboundEvent,
    Membership,
    ModerationCase,
    OutboxAction,
    Person,
    PlaygroundEntry,
    RegistrationRequest,
    Ticket,
    TicketSubscriber,
)

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class PersonData:
    """Everything held about one phone number, loaded once for export or erasure."""

    persons: list[Person] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    requests: list[RegistrationRequest] = field(default_factory=list)
    feedback: list[FeedbackItem] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    bans: list[CommunityBan] = field(default_factory=list)
    cases: list[ModerationCase] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)  # the ones they asked for
    subscriptions: list[TicketSubscriber] = field(default_factory=list)

    @property
    def person_ids(self) -> list[int]:
        return sorted({p.id for p in self.persons} | {i.person_id for i in self.identities})

    @property
    def identity_ids(self) -> list[int]:
        return [i.id for i in self.identities]


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def load_person_data(session: AsyncSession, phone: str) -> PersonData:
    data = PersonData()
    data.persons = await _all(session, select(Person).where(Person.phone == phone))
    person_ids = [p.id for p in data.persons]
    data.identities = await _all(
        session,
        select(Identity).where(or_(Identity.person_id.in_(person_ids), Identity.phone == phone)),
    )
    person_ids, identity_ids = data.person_ids, data.identity_ids
    data.requests = await _all(
        session,
        select(RegistrationRequest).where(
            or_(
                RegistrationRequest.phone == phone,
                RegistrationRequest.person_id.in_(person_ids),
            )
        ),
    )
    data.feedback = await _all(
        session,
        select(FeedbackItem).where(
            or_(FeedbackItem.phone == phone, FeedbackItem.person_id.in_(person_ids))
        ),
    )
    data.appeals = await _all(session, select(Appeal).where(Appeal.person_id.in_(person_ids)))
    data.bans = await _all(
        session, select(CommunityBan).where(CommunityBan.person_id.in_(person_ids))
    )
    data.cases = await _all(
        session,
        select(ModerationCase)
        .where(
            or_(
                ModerationCase.subject_person_id.in_(person_ids),
                ModerationCase.subject_identity_id.in_(identity_ids),
            )
        )
        .order_by(ModerationCase.id),
    )
    data.tickets = await _all(
        session,
        select(Ticket).where(Ticket.requester_identity_id.in_(identity_ids)).order_by(Ticket.id),
    )
    data.subscriptions = await _all(
        session,
        select(TicketSubscriber)
        .where(TicketSubscriber.identity_id.in_(identity_ids))
        .order_by(TicketSubscriber.id),
    )
    return data


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def _events_of(session: AsyncSession, identities: list[Identity]) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for identity in identities:
        events.extend(
            await _all(
                session,
                select(InboundEvent)
                .where(
                    InboundEvent.channel == identity.channel,
                    InboundEvent.payload["actor"]["user_id"].as_string() == identity.user_id,
                )
                .order_by(InboundEvent.id),
            )
        )
    return events


async def _audit_about(session: AsyncSession, identity_ids: list[int]) -> list[AuditEntry]:
    return await _all(
        session,
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.subject_identity_id.in_(identity_ids),
                AuditEntry.actor_identity_id.in_(identity_ids),
            )
        )
        .order_by(AuditEntry.id),
    )


async def export_person(app: CassBot, phone_text: str) -> dict[str, Any]:
    phone = _phone(phone_text)
    async with app.db.read() as session:
        data = await load_person_data(session, phone)
        identity_ids = data.identity_ids
        memberships = (
            await session.execute(
                select(Membership, Group)
                .join(Group, Group.id == Membership.group_id)
                .where(Membership.identity_id.in_(identity_ids))
            )
        ).all()
        events = await _events_of(session, data.identities)
        local_ids = [i.user_id for i in data.identities if i.channel == "local"]
        playground = await _all(
            session, select(PlaygroundEntry).where(PlaygroundEntry.author_id.in_(local_ids))
        )
        audit_rows = await _audit_about(session, identity_ids)
        admissions = await _all(
            session,
            select(Admission).where(Admission.person_id.in_([p.id for p in data.persons] or [-1])),
        )
        followed = {
            t.id: t
            for t in await _all(
                session,
                select(Ticket).where(
                    Ticket.id.in_([s.ticket_id for s in data.subscriptions] or [-1])
                ),
            )
        }
    return {
        "phone": phone,
        "persons": [
            {"id": p.id, "name": p.display_name, "phone": p.phone, "since": _when(p.created_at)}
            for p in data.persons
        ],
        "identities": [
            {
                "channel": i.channel,
                "user_id": i.user_id,
                "name": i.display_name,
                "phone": i.phone,
                "first_seen": _when(i.created_at),
                "last_seen": _when(i.last_seen_at),
            }
            for i in data.identities
        ],
        "memberships": [
            {
                "group": g.name,
                "channel": g.channel,
                "community": g.community_id,
                "status": m.status,
                "role": m.role,
                "joined": _when(m.joined_at),
                "left": _when(m.left_at),
                "messages": m.message_count,
            }
            for m, g in memberships
        ],
        "registration_requests": [
            {
                "folio": r.folio,
                "community": r.community_id,
                "name": r.full_name,
                "phone": r.phone,
                "message": r.message,
                "status": r.status,
                "submitted": _when(r.created_at),
                "decided": _when(r.decided_at),
                "reason": r.decision_reason,
                "question": r.info_question,
                "answer": r.info_answer,
                "consent": _when(r.consent_at),
                "terms_version": r.terms_version,
            }
            for r in data.requests
        ],
        "admissions": [
            {
                "community": a.community_id,
                "channel": a.channel,
                "method": a.method,
                "status": a.status,
                "at": _when(a.created_at),
            }
            for a in admissions
        ],
        "complaints_and_suggestions": [
            {
                "folio": f.folio,
                "kind": f.kind,
                "text": f.text,
                "status": f.status,
                "answer": f.answer,
                "filed": _when(f.created_at),
            }
            for f in data.feedback
        ],
        "appeals": [
            {
                "folio": a.folio,
                "community": a.community_id,
                "text": a.text,
                "status": a.status,
                "reason": a.decision_reason,
                "filed": _when(a.created_at),
            }
            for a in data.appeals
        ],
        "bans": [
            {
                "community": b.community_id,
                "reason": b.reason,
                "by": b.banned_by,
                "since": _when(b.created_at),
                "lifted": _when(b.lifted_at),
            }
            for b in data.bans
        ],
        "service_requests": [
            {
                "folio": t.folio,
                "community": t.community_id,
                "category": t.category,
                "department": t.department,
                "text": t.text,
                "place": t.place,
                "name": t.requester_name,
                "attachments": len(t.media or []),
                "status": t.status,
                "requested": _when(t.requested_at),
                "closed": _when(t.closed_at),
            }
            for t in data.tickets
        ],
        "service_requests_followed": [
            {
                "folio": followed[s.ticket_id].folio if s.ticket_id in followed else None,
                "role": s.role,
                "since": _when(s.created_at),
            }
            for s in data.subscriptions
        ],
        "moderation_cases": [
            {
                "case": c.id,
                "community": c.community_id,
                "source": c.source,
                "rule": c.rule_id,
                "category": c.category,
                "status": c.status,
                "effects": list(c.effects or []),
                "text": c.text,
                "at": _when(c.created_at),
                "reviewed_by": c.reviewed_by,
            }
            for c in data.cases
        ],
        "messages": [
            {
                "channel": e.channel,
                "kind": e.kind,
                "at": _when(e.received_at),
                "text": e.payload.get("text", ""),
            }
            for e in events
        ],
        "playground_messages": [
            {"chat": p.chat_id, "kind": p.kind, "text": p.text, "at": _when(p.created_at)}
            for p in playground
        ],
        "audit": [
            {
                "at": _when(a.at),
                "action": a.action,
                "by": a.actor_name,
                "community": a.community_id,
                **({"quote": a.detail["quote"]} if (a.detail or {}).get("quote") else {}),
            }
            for a in audit_rows
        ],
    }


async def erase_person(
    app: CassBot, phone_text: str, actor: Actor, *, force: bool = False
) -> dict[str, int]:
    """Remove or anonymise a person's personal data; aggregates (counts, dates) remain."""
    phone = _phone(phone_text)
    now = app.clock.now()
    async with app.db.transaction() as session:
        data = await load_person_data(session, phone)
        active = [b for b in data.bans if b.lifted_at is None]
        if active and not force:
            raise DecisionError(
                "Esta persona tiene una expulsión vigente; borrar su número permitiría volver "
                "sin decisión de un funcionario. Levanta la expulsión o usa --force."
            )
        counts = {
            "identities": 0,
            "requests": 0,
            "feedback": 0,
            "appeals": 0,
            "events": 0,
            "playground": 0,
            "outbox": 0,
            "outbox_texts": 0,
            "moderation_cases": 0,
            "audit": 0,
            "tickets": 0,
            "ticket_subscriptions": 0,
        }
        names = _names_of(data)
        for request in data.requests:
            if request.status in ("pending", "info_requested"):
                request.status = "rejected"
                request.decided_at = now
                request.decided_by = actor.name
                request.decision_reason = "Datos eliminados a petición de la persona."
                await stop_clock(session, "registration", request.id)
            anonymise_request(request, now)
            request.access_code = None  # its status page is closed for good
            counts["requests"] += 1
        for item in data.feedback:
            anonymise_feedback(item, now)
            item.access_code = None
            counts["feedback"] += 1
        for appeal in data.appeals:
            anonymise_appeal(appeal, now)
            appeal.access_code = None
            counts["appeals"] += 1
        for case in data.cases:
            scrub_case(case)
            counts["moderation_cases"] += 1
        for audit_entry in await _audit_about(session, data.identity_ids):
            scrub_audit(audit_entry, erase=True)
            counts["audit"] += 1
        for ticket in data.tickets:
            scrub_ticket(ticket, erase=True)
            counts["tickets"] += 1
        for subscription in data.subscriptions:
            scrub_subscriber(subscription, erase=True)
            counts["ticket_subscriptions"] += 1
        await scrub_ticket_history(
            session,
            {t.id for t in data.tickets} | {s.ticket_id for s in data.subscriptions},
            names=names,
        )
        events = await _events_of(session, data.identities)
        for event in events:
            payload = dict(event.payload)
            if "text" in payload:
                payload["text"] = ""
            actor_data = payload.get("actor")
            if isinstance(actor_data, dict):
                payload["actor"] = {**actor_data, "display_name": None, "phone": None}
            event.payload = payload
            counts["events"] += 1
        local_ids = [i.user_id for i in data.identities if i.channel == "local"]
        for entry in (
            await session.execute(
                select(PlaygroundEntry).where(PlaygroundEntry.author_id.in_(local_ids))
            )
        ).scalars():
            entry.text = ""
            entry.author_name = ERASED
            counts["playground"] += 1
        lanes = [f"{i.channel}:{i.user_id}" for i in data.identities]
        lanes += [f"local:dm-{user_id}" for user_id in local_ids]
        result = await session.execute(
            delete(OutboxAction).where(
                OutboxAction.lane.in_(lanes), OutboxAction.status.in_(("done", "failed"))
            )
        )
        counts["outbox"] = int(getattr(result, "rowcount", 0) or 0)
        for row in await _messages_about(session, data, [e.id for e in events]):
            scrub_outbox(row)
            counts["outbox_texts"] += 1
        for identity in data.identities:
            identity.display_name = None
            identity.phone = None
            identity.user_id = f"borrado-{identity.id}"
            counts["identities"] += 1
        for person in data.persons:
            person.display_name = None
            person.phone = None
        await audit(
            session,
            now,
            "privacy_erased",
            actor=actor,
            detail={**counts, "persons": len(data.persons)},
        )
    logger.info("personal data erased", extra=counts)
    return counts


def _names_of(data: PersonData) -> set[str]:
    """The names the person went by, to find them in tickets' histories."""
    names = {p.display_name for p in data.persons} | {i.display_name for i in data.identities}
    names |= {s.display_name for s in data.subscriptions}
    names |= {t.requester_name for t in data.tickets}
    return {n for n in names if n}


async def _messages_about(
    session: AsyncSession, data: PersonData, event_ids: list[int]
) -> list[OutboxAction]:
    """Finished messages to anyone that quote or name the person: caused by their messages,
    or about their requests, appeals, tickets, cases and admissions (by outbox key)."""
    prefixes = [f"registration:{r.id}:" for r in data.requests]
    prefixes += [f"feedback:{f.id}:" for f in data.feedback]
    prefixes += [f"appeal:{a.id}:" for a in data.appeals]
    prefixes += [f"ticket:{t.id}:" for t in data.tickets]
    prefixes += [
        f"moderation:{kind}:case{c.id}:" for c in data.cases for kind in ("alert", "review")
    ]
    admissions = await _all(
        session, select(Admission.id).where(Admission.person_id.in_(data.person_ids or [-1]))
    )
    prefixes += [f"admission:{admission_id}:" for admission_id in admissions]
    conditions = [OutboxAction.idempotency_key.startswith(p, autoescape=True) for p in prefixes]
    if event_ids:
        conditions.append(OutboxAction.cause_event_id.in_(event_ids))
    if not conditions:
        return []
    return await _all(
        session,
        select(OutboxAction).where(
            OutboxAction.status.in_(FINISHED),
            or_(*conditions),
        ),
    )


def _phone(text: str) -> str:
    phone = normalise_phone(text)
    if phone is None:
        raise DecisionError(f"«{text}» no es un número de teléfono.")
    return phone

"""Privacy duties: retention limits enforced by a scheduler job, and a person's data requests
(`cassbot privacy export|erase PHONE`).

Retention blanks message texts (inbound event payloads, the playground log) and anonymises
rejected requests and closed complaints/appeals after their configured number of days; dates,
statuses and communities stay, so the public aggregates do not change.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.phones import normalise_phone
from cassbot.registration.common import Actor, DecisionError, audit
from cassbot.registration.deadlines import stop_clock
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
    OutboxAction,
    Person,
    PlaygroundEntry,
    RegistrationRequest,
)

if TYPE_CHECKING:
    from cassbot.app import CassBot
    from cassbot.registration.feature import RegistrationFeature

logger = logging.getLogger(__name__)

ERASED = "[eliminado]"
_MESSAGE_KINDS = ("message.posted", "message.edited")
_BATCH = 500


def install_retention(app: CassBot, feature: RegistrationFeature) -> None:
    async def job(now: datetime) -> None:
        counts = await sweep(app, now)
        counts["rate_counters"] = await feature.limiter.purge(now - timedelta(days=2))
        counts["panel_sessions"] = await feature.panel.sessions.purge(now)
        if any(counts.values()):
            logger.info("retention sweep", extra=counts)

    app.scheduler.every("privacy.retention", app.settings.privacy.sweep_interval_minutes * 60, job)


async def sweep(app: CassBot, now: datetime) -> dict[str, int]:
    privacy = app.settings.privacy
    counts = {"event_texts": 0, "playground_texts": 0, "requests": 0, "closed_items": 0}
    text_cutoff = now - timedelta(days=privacy.message_text_days)
    while True:  # in batches, each its own transaction, so a big backlog never blocks the bot
        async with app.db.transaction() as session:
            rows = (
                (
                    await session.execute(
                        select(InboundEvent)
                        .where(
                            InboundEvent.kind.in_(_MESSAGE_KINDS),
                            InboundEvent.status != "pending",
                            InboundEvent.received_at < text_cutoff,
                            InboundEvent.payload["text"].as_string() != "",
                        )
                        .limit(_BATCH)
                    )
                )
                .scalars()
                .all()
            )
            for row in rows:
                row.payload = {**row.payload, "text": ""}
        counts["event_texts"] += len(rows)
        if len(rows) < _BATCH:
            break
    playground_cutoff = now - timedelta(days=privacy.playground_log_days)
    async with app.db.transaction() as session:
        entries = (
            (
                await session.execute(
                    select(PlaygroundEntry).where(
                        PlaygroundEntry.created_at < playground_cutoff, PlaygroundEntry.text != ""
                    )
                )
            )
            .scalars()
            .all()
        )
        for entry in entries:
            entry.text = ""
        counts["playground_texts"] = len(entries)
        request_cutoff = now - timedelta(days=privacy.rejected_request_days)
        requests = (
            (
                await session.execute(
                    select(RegistrationRequest).where(
                        RegistrationRequest.status == "rejected",
                        RegistrationRequest.decided_at < request_cutoff,
                        RegistrationRequest.anonymised_at.is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        for request in requests:
            _anonymise_request(request, now)
        counts["requests"] = len(requests)
        closed_cutoff = now - timedelta(days=privacy.closed_item_days)
        items = (
            (
                await session.execute(
                    select(FeedbackItem).where(
                        FeedbackItem.status == "answered",
                        FeedbackItem.answered_at < closed_cutoff,
                        FeedbackItem.anonymised_at.is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        for item in items:
            _anonymise_feedback(item, now)
        appeals = (
            (
                await session.execute(
                    select(Appeal).where(
                        Appeal.status != "pending",
                        Appeal.decided_at < closed_cutoff,
                        Appeal.anonymised_at.is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        for appeal in appeals:
            _anonymise_appeal(appeal, now)
        counts["closed_items"] = len(items) + len(appeals)
    return counts


def _anonymise_request(request: RegistrationRequest, now: datetime) -> None:
    request.full_name = ERASED
    request.phone = None
    request.open_phone = None
    request.message = ""
    request.info_question = None if request.info_question is None else ""
    request.info_answer = None if request.info_answer is None else ""
    request.anonymised_at = now


def _anonymise_feedback(item: FeedbackItem, now: datetime) -> None:
    item.name = None
    item.phone = None
    item.text = ""
    item.answer = None if item.answer is None else ""
    item.user_id = None
    item.anonymised_at = now


def _anonymise_appeal(appeal: Appeal, now: datetime) -> None:
    appeal.text = ""
    appeal.phone = None
    appeal.user_id = None
    appeal.anonymised_at = now


# --- A person's data requests ---------------------------------------------------------------


class PersonData:
    """Everything held about one phone number, loaded once for export or erasure."""

    def __init__(self) -> None:
        self.persons: list[Person] = []
        self.identities: list[Identity] = []
        self.requests: list[RegistrationRequest] = []
        self.feedback: list[FeedbackItem] = []
        self.appeals: list[Appeal] = []
        self.bans: list[CommunityBan] = []


async def load_person_data(session: AsyncSession, phone: str) -> PersonData:
    data = PersonData()
    data.persons = list(
        (await session.execute(select(Person).where(Person.phone == phone))).scalars()
    )
    person_ids = [p.id for p in data.persons]
    data.identities = list(
        (
            await session.execute(
                select(Identity).where(
                    or_(Identity.person_id.in_(person_ids), Identity.phone == phone)
                )
            )
        ).scalars()
    )
    person_ids = sorted({*person_ids, *(i.person_id for i in data.identities)})
    data.requests = list(
        (
            await session.execute(
                select(RegistrationRequest).where(
                    or_(
                        RegistrationRequest.phone == phone,
                        RegistrationRequest.person_id.in_(person_ids),
                    )
                )
            )
        ).scalars()
    )
    data.feedback = list(
        (
            await session.execute(
                select(FeedbackItem).where(
                    or_(FeedbackItem.phone == phone, FeedbackItem.person_id.in_(person_ids))
                )
            )
        ).scalars()
    )
    data.appeals = list(
        (await session.execute(select(Appeal).where(Appeal.person_id.in_(person_ids)))).scalars()
    )
    data.bans = list(
        (
            await session.execute(
                select(CommunityBan).where(CommunityBan.person_id.in_(person_ids))
            )
        ).scalars()
    )
    return data


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def _events_of(session: AsyncSession, identities: list[Identity]) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for identity in identities:
        events.extend(
            (
                await session.execute(
                    select(InboundEvent)
                    .where(
                        InboundEvent.channel == identity.channel,
                        InboundEvent.payload["actor"]["user_id"].as_string() == identity.user_id,
                    )
                    .order_by(InboundEvent.id)
                )
            ).scalars()
        )
    return events


async def export_person(app: CassBot, phone_text: str) -> dict[str, Any]:
    phone = _phone(phone_text)
    async with app.db.read() as session:
        data = await load_person_data(session, phone)
        identity_ids = [i.id for i in data.identities]
        memberships = (
            await session.execute(
                select(Membership, Group)
                .join(Group, Group.id == Membership.group_id)
                .where(Membership.identity_id.in_(identity_ids))
            )
        ).all()
        events = await _events_of(session, data.identities)
        local_ids = [i.user_id for i in data.identities if i.channel == "local"]
        playground = (
            (
                await session.execute(
                    select(PlaygroundEntry).where(PlaygroundEntry.author_id.in_(local_ids))
                )
            )
            .scalars()
            .all()
        )
        audit_rows = (
            (
                await session.execute(
                    select(AuditEntry)
                    .where(AuditEntry.subject_identity_id.in_(identity_ids))
                    .order_by(AuditEntry.id)
                )
            )
            .scalars()
            .all()
        )
        admissions = (
            (
                await session.execute(
                    select(Admission).where(
                        Admission.person_id.in_([p.id for p in data.persons] or [-1])
                    )
                )
            )
            .scalars()
            .all()
        )
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
        }
        for request in data.requests:
            if request.status in ("pending", "info_requested"):
                request.status = "rejected"
                request.decided_at = now
                request.decided_by = actor.name
                request.decision_reason = "Datos eliminados a petición de la persona."
                await stop_clock(session, "registration", request.id)
            _anonymise_request(request, now)
            counts["requests"] += 1
        for item in data.feedback:
            _anonymise_feedback(item, now)
            counts["feedback"] += 1
        for appeal in data.appeals:
            _anonymise_appeal(appeal, now)
            counts["appeals"] += 1
        for event in await _events_of(session, data.identities):
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


def _phone(text: str) -> str:
    phone = normalise_phone(text)
    if phone is None:
        raise DecisionError(f"«{text}» no es un número de teléfono.")
    return phone

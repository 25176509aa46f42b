"""The review queue's decisions: confirm a flagged message (the policy then applies the rule as
if the engine had been sure) or dismiss it. Shared by /confirmar, /descartar and the panel."""

from __future__ import annotations

from cassbot.enforcement.apply import Outcome, apply_decision, load_standing
from cassbot.enforcement.cases import CaseRefused, Refusal, claim
from cassbot.enforcement.session import ModerationSession
from cassbot.enforcement.targets import sender_for_identity
from cassbot.events import MessageRef
from cassbot.storage.models import Identity, ModerationCase
from moderation.findings import Finding, ScreenReport
from moderation.policy import decide


async def confirm_case(ms: ModerationSession, case: ModerationCase) -> Outcome:
    """Confirm a case in review: sanction its author now, in the case's group.

    The sanction is a new case (with its points, actions and audit entry); the reviewed case is
    marked `confirmed` and a `moderation.confirmed` entry links the two.
    """
    if case.status != "review":
        raise CaseRefused(Refusal.NOT_PENDING, case)
    here = await ms.at_case(case)
    subject_identity = await ms.session.get(Identity, case.subject_identity_id)
    chat = here.chat
    if here.place is None or chat is None or subject_identity is None:
        raise CaseRefused(Refusal.NO_GROUP, case)
    await claim(ms, case, ModerationCase.status == "review", "confirmed", Refusal.NOT_PENDING)
    span = (case.span_start or 0, case.span_end or 0)
    finding = Finding(
        case.rule_id,
        case.category,
        max(case.severity, 2),
        span,
        "violation",
        detail="confirmado por " + ms.actor_name,
    )
    report = ScreenReport(
        case.text or "", (finding,), True, "act", max(case.severity, 2), (case.category,), None
    )
    subject = await sender_for_identity(here, subject_identity)
    decision = decide(
        report,
        standing=await load_standing(here, subject),
        settings=here.place.community.policy,
        now=ms.now,
        dry_run=here.dry_run,
    )
    message = MessageRef(chat=chat, message_id=case.message_id) if case.message_id else None
    outcome = await apply_decision(
        here, decision, report, subject=subject, source="manual", group_chat=chat, message=message
    )
    await here.audit(
        "moderation.confirmed",
        actor_kind="official",
        rule_id=case.rule_id,
        subject=subject_identity,
        detail={
            "summary": f"Caso #{case.id} confirmado",
            "case_id": case.id,
            "applied_case_id": outcome.case_id,
        },
    )
    return outcome


async def dismiss_case(ms: ModerationSession, case: ModerationCase) -> None:
    """Dismiss a case in review: nobody is sanctioned; the decision is audited."""
    if case.status != "review":
        raise CaseRefused(Refusal.NOT_PENDING, case)
    await claim(ms, case, ModerationCase.status == "review", "dismissed", Refusal.NOT_PENDING)
    here = await ms.at_case(case)
    await here.audit(
        "moderation.dismissed",
        actor_kind="official",
        rule_id=case.rule_id,
        subject=case.subject_identity_id,
        detail={"summary": f"Caso #{case.id} descartado", "case_id": case.id},
    )

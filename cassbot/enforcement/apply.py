"""Turning a moderation decision into records and channel actions.

One function serves automatic decisions, admins' commands and confirmed reviews, so every
sanction is recorded the same way: a case, points in the ledger, an audit entry explaining it,
and outbox actions. In dry-run everything is recorded as what *would* have happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from cassbot import texts
from cassbot.actions import DeleteMessage, RemoveMember, SendMessage
from cassbot.adapter import Capability
from cassbot.enforcement.session import ModerationSession
from cassbot.events import ChatRef, MessageRef, UserRef
from cassbot.notify import notify_officials
from cassbot.pipeline import Sender
from cassbot.storage.models import (
    AuditEntry,
    CommunityBan,
    Group,
    Identity,
    Membership,
    ModerationCase,
    PointsRecord,
)
from moderation.findings import ScreenReport
from moderation.policy import Decision, Effect, MemberStanding, PointsEntry


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the decide stage did (other stages read it from `ctx.notes["decision"]`)."""

    decision: Decision
    case_id: int
    deleted: bool
    expelled: bool
    dry_run: bool
    review: bool


async def load_standing(ms: ModerationSession, subject: Sender) -> MemberStanding:
    """The member's role and the points they earned in this community (with decay data)."""
    assert ms.place is not None
    window = timedelta(days=ms.place.community.policy.ladder.window_days)
    rows = (
        await ms.session.execute(
            select(PointsRecord).where(
                PointsRecord.community_id == ms.place.community.id,
                PointsRecord.person_id == subject.person.id,
                PointsRecord.at > ms.now - window,
            )
        )
    ).scalars()
    history = tuple(
        PointsEntry(at=r.at, points=r.points, rule_id=r.rule_id, cleared=r.cleared_at is not None)
        for r in rows
    )
    return MemberStanding(
        role=subject.role, exempt=subject.exempt, history=history, name=subject.name
    )


def summary_of(decision: Decision, review: bool) -> str:
    """A short Spanish line for the audit views (what happened, never the insult)."""
    if review:
        return texts.ENF_SUMMARY_REVIEW
    parts = []
    if Effect.EXPEL in decision.effects:
        parts.append(texts.ENF_SUMMARY_EXPEL)
    elif Effect.WARN_GROUP in decision.effects or Effect.WARN_PRIVATE in decision.effects:
        parts.append(
            texts.ENF_SUMMARY_WARN.format(
                count=decision.points_total_in_window,
            )
        )
    if Effect.DELETE in decision.effects:
        parts.append(texts.ENF_SUMMARY_DELETE)
    if Effect.ALERT_SECURITY in decision.effects:
        parts.append(texts.ENF_SUMMARY_ALERT)
    return "; ".join(parts) or texts.ENF_SUMMARY_RECORDED


async def apply_decision(
    ms: ModerationSession,
    decision: Decision,
    report: ScreenReport,
    *,
    subject: Sender,
    source: str,
    group_chat: ChatRef,
    message: MessageRef | None,
    reason: str | None = None,
) -> Outcome:
    """Record the decision and plan its actions; returns what was done.

    `group_chat` is where the offence happened and `message` the offending message (if any);
    manual decisions (`source="manual"`) are signed by the session's moderator.
    """
    assert ms.place is not None
    chat = group_chat
    community_id = ms.place.community.id
    dry = decision.dry_run
    review = decision.effects == frozenset({Effect.REVIEW})
    top = report.top
    case = ModerationCase(
        community_id=community_id,
        group_id=ms.group.id if ms.group else None,
        event_id=ms.event_id,
        subject_identity_id=subject.identity.id,
        subject_person_id=subject.person.id,
        source=source,
        rule_id=decision.rule_id or (top.rule_id if top else "manual"),
        category=decision.category or (top.category if top else "manual"),
        severity=report.severity,
        effects=sorted(e.value for e in decision.effects),
        points=0 if review or dry else decision.points_added,
        status="review" if review else "dry_run" if dry else "applied",
        message_id=message.message_id if message else None,
        text=report.text or None,
        span_start=decision.matched_span[0] if decision.matched_span else None,
        span_end=decision.matched_span[1] if decision.matched_span else None,
        report=report.to_json(),
        actor_name=ms.actor_name if source == "manual" else "cassbot",
        created_at=ms.now,
    )
    ms.session.add(case)
    await ms.session.flush()
    span = decision.matched_span
    audit = await ms.audit(
        "moderation.review" if review else "moderation.sanction",
        rule_id=case.rule_id,
        subject=subject.identity,
        actor_kind="official" if source == "manual" else "bot",
        dry_run=dry,
        detail={
            "summary": summary_of(decision, review),
            "case_id": case.id,
            "category": case.category,
            "effects": case.effects,
            "points_added": decision.points_added,
            "points_in_window": decision.points_total_in_window,
            "cass_rule": decision.cass_rule,
            "span": list(span) if span else None,
            "quote": report.text[span[0] : span[1]] if span and report.text else None,
            "reason": reason,
        },
    )
    case.audit_id = audit.id
    if review:
        await _ask_for_review(ms, case, decision)
        return Outcome(decision, case.id, False, False, dry, True)
    if case.points:
        ms.session.add(
            PointsRecord(
                community_id=community_id,
                person_id=subject.person.id,
                case_id=case.id,
                points=case.points,
                rule_id=case.rule_id,
                at=ms.now,
            )
        )
    deleted = False
    if Effect.DELETE in decision.effects and message is not None:
        ms.emit(
            DeleteMessage(message=message), purpose="moderation.delete", dry_run=dry, audit=audit
        )
        deleted = not dry  # in trial mode nothing is really removed
    expelling = Effect.EXPEL in decision.effects
    said_in_group = bool(decision.warning_text) and (
        Effect.WARN_GROUP in decision.effects or expelling
    )
    if said_in_group and decision.warning_text:
        ms.emit(
            SendMessage(chat=chat, text=decision.warning_text, mentions=(subject.user,)),
            purpose="moderation.warning",
            dry_run=dry,
            audit=audit,
        )
    if decision.private_text and (Effect.WARN_PRIVATE in decision.effects or expelling):
        adapter = ms.app.adapters.get(subject.user.channel)
        private = adapter.private_chat(subject.user) if adapter else None
        # When nothing was said in the group, make sure the member hears it somewhere.
        fallback = None if said_in_group else chat
        ms.emit(
            SendMessage(
                chat=private or chat,
                text=decision.private_text,
                fallback_chat=fallback if private else None,
            ),
            purpose="moderation.private_warning",
            dry_run=dry,
            audit=audit,
        )
    if expelling:
        await expel(
            ms,
            subject,
            group_chat=chat,
            reason=reason or case.category,
            case=case,
            dry=dry,
            audit=audit,
        )
    if Effect.ALERT_SECURITY in decision.effects and decision.alert_text and not dry:
        officials = ms.app.directory.officials_for(community_id, departments=["seguridad"])
        await notify_officials(
            ms.app,
            ms.session,
            officials,
            decision.alert_text
            + "\n"
            + texts.ENF_ALERT_WHERE.format(community=ms.place.community.name, case=case.id),
            key=f"moderation:alert:case{case.id}",
            purpose="moderation.alert",
            community_id=community_id,
            email_subject=texts.ENF_ALERT_SUBJECT.format(community=ms.place.community.name),
            cause_event_id=ms.event_id,
        )
    return Outcome(decision, case.id, deleted, expelling and not dry, dry, False)


async def expel(
    ms: ModerationSession,
    subject: Sender,
    *,
    group_chat: ChatRef,
    reason: str,
    case: ModerationCase | None,
    dry: bool,
    audit: AuditEntry,
) -> int:
    """Ban the person from the community and remove them from each of its groups."""
    assert ms.place is not None
    community_id = ms.place.community.id
    by = ms.actor_name
    if not dry:
        ms.session.add(
            CommunityBan(
                community_id=community_id,
                person_id=subject.person.id,
                reason=reason,
                banned_by=by,
                created_at=ms.now,
                case_id=case.id if case else None,
            )
        )
    rows = (
        await ms.session.execute(
            select(Membership, Identity, Group)
            .join(Identity, Identity.id == Membership.identity_id)
            .join(Group, Group.id == Membership.group_id)
            .where(
                Group.community_id == community_id,
                Identity.person_id == subject.person.id,
                Membership.status == "active",
            )
        )
    ).all()
    targets: dict[tuple[str, str, str], tuple[Membership | None, str, str, UserRef]] = {}
    for membership, identity, group in rows:
        user = UserRef(
            channel=identity.channel,
            user_id=identity.user_id,
            display_name=identity.display_name,
        )
        targets[(group.channel, group.chat_id, identity.user_id)] = (
            membership,
            group.channel,
            group.chat_id,
            user,
        )
    # The group where it happened, even if the roster had not seen the member yet.
    here = (group_chat.channel, group_chat.chat_id, subject.user.user_id)
    if subject.user.channel == group_chat.channel:
        targets.setdefault(here, (None, group_chat.channel, group_chat.chat_id, subject.user))
    removed = 0
    for found, channel, chat_id, user in targets.values():
        adapter = ms.app.adapters.get(channel)
        if adapter is None or user.channel != channel:
            continue
        if not adapter.supports(Capability.REMOVE_MEMBER):
            continue
        ms.emit(
            RemoveMember(chat=ChatRef(channel=channel, chat_id=chat_id), user=user, reason=reason),
            purpose="moderation.expel",
            dry_run=dry,
            audit=audit,
        )
        if found is not None and not dry:
            found.status = "banned"
            found.left_at = ms.now
        removed += 1
    return removed


async def _ask_for_review(ms: ModerationSession, case: ModerationCase, decision: Decision) -> None:
    """Put the case in the review queue and tell the community's admins once."""
    assert ms.place is not None
    admins = ms.app.directory.officials_for(ms.place.community.id, roles=["administrador"])
    text = (
        (decision.review_text or texts.ENF_REVIEW_FALLBACK)
        + "\n"
        + texts.ENF_REVIEW_HOW.format(case=case.id, community=ms.place.community.name)
    )
    if ms.app.settings.registration.enabled:  # the officials' panel is served with it
        text += " " + texts.ENF_REVIEW_PANEL.format(url=ms.app.base_url, case=case.id)
    await notify_officials(
        ms.app,
        ms.session,
        admins,
        text,
        key=f"moderation:review:case{case.id}",
        purpose="moderation.review",
        community_id=ms.place.community.id,
        cause_event_id=ms.event_id,
    )

"""Undoing sanctions in one step, and readmitting people whose ban was lifted."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from cassbot import texts
from cassbot.actions import AddMember, CreateInviteLink, SendMessage, UnbanMember
from cassbot.adapter import Capability
from cassbot.enforcement.cases import CaseRefused, Refusal, claim
from cassbot.enforcement.session import ModerationSession
from cassbot.events import ChatRef, UserRef
from cassbot.storage.models import (
    AuditEntry,
    CommunityBan,
    Group,
    Identity,
    Membership,
    ModerationCase,
    PointsRecord,
)


async def lift_bans(
    ms: ModerationSession,
    community_id: str,
    person_id: int,
    *,
    by: str,
    case_id: int | None = None,
) -> int:
    query = select(CommunityBan).where(
        CommunityBan.community_id == community_id,
        CommunityBan.person_id == person_id,
        CommunityBan.lifted_at.is_(None),
    )
    if case_id is not None:
        query = query.where(CommunityBan.case_id == case_id)
    bans = (await ms.session.execute(query)).scalars().all()
    for ban in bans:
        ban.lifted_at = ms.now
        ban.lifted_by = by
    return len(bans)


async def readmit(ms: ModerationSession, community_id: str, person_id: int) -> bool:
    """Let the person back into the community's groups: add them, or send an invite link.

    Returns True when at least one channel could add them directly.
    """
    rows = (
        await ms.session.execute(
            select(Membership, Identity, Group)
            .join(Identity, Identity.id == Membership.identity_id)
            .join(Group, Group.id == Membership.group_id)
            .where(
                Group.community_id == community_id,
                Identity.person_id == person_id,
                Membership.status.in_(("banned", "removed")),
            )
        )
    ).all()
    added = False
    for membership, identity, group in rows:
        membership.status = "left"
        adapter = ms.app.adapters.get(group.channel)
        if adapter is None:
            continue
        chat = ChatRef(channel=group.channel, chat_id=group.chat_id)
        user = UserRef(
            channel=identity.channel, user_id=identity.user_id, display_name=identity.display_name
        )
        key = f"readmit:{ms.key_scope}:{group.id}:{identity.id}"
        if adapter.supports(Capability.UNBAN_MEMBER):
            ms.emit(UnbanMember(chat=chat, user=user), purpose="readmit.unban", key=f"{key}:unban")
        if adapter.supports(Capability.ADD_MEMBER):
            ms.emit(AddMember(chat=chat, user=user), purpose="readmit.add", key=f"{key}:add")
            added = True
        elif adapter.supports(Capability.INVITE_LINK):
            ms.emit(
                CreateInviteLink(chat=chat, user=user),
                purpose="readmit.invite",
                key=f"{key}:invite",
            )
    return added


async def undo_case(
    ms: ModerationSession, case: ModerationCase, *, only: Collection[str] | None = None
) -> str:
    """Reverse a sanction in one step: points cleared, ban lifted and the person readmitted, the
    original audit entry marked undone, all signed by the session's moderator.

    Returns a Spanish description of what was undone; raises `CaseRefused` when it already was
    (a case is undone once, even when two officials try at the same moment), or when `only` is
    given and the case's status is not one of them.
    """
    by = ms.actor_name
    if case.status == "undone":
        raise CaseRefused(Refusal.ALREADY_UNDONE, case)
    if only is not None and case.status not in only:
        raise CaseRefused(Refusal.NOT_A_SANCTION, case)
    condition = (
        ModerationCase.status != "undone" if only is None else ModerationCase.status.in_(only)
    )
    await claim(ms, case, condition, "undone", Refusal.ALREADY_UNDONE)
    what: list[str] = []
    points = (
        (
            await ms.session.execute(
                select(PointsRecord).where(
                    PointsRecord.case_id == case.id, PointsRecord.cleared_at.is_(None)
                )
            )
        )
        .scalars()
        .all()
    )
    for record in points:
        record.cleared_at = ms.now
        record.cleared_by = by
        record.cleared_reason = "undone"
    if points:
        what.append(texts.ENF_UNDO_WHAT_POINTS)
    if await lift_bans(ms, case.community_id, case.subject_person_id, by=by, case_id=case.id):
        what.append(texts.ENF_UNDO_WHAT_BAN)
        await readmit(ms, case.community_id, case.subject_person_id)
    original = await ms.session.get(AuditEntry, case.audit_id) if case.audit_id else None
    if original is not None:
        original.undone_at = ms.now
        original.undone_by = by
    subject = await ms.session.get(Identity, case.subject_identity_id)
    description = ", ".join(what) or texts.ENF_SUMMARY_RECORDED.lower()
    here = await ms.at_case(case)
    await here.audit(
        "moderation.undo",
        actor_kind="official",
        rule_id=case.rule_id,
        subject=case.subject_identity_id,
        detail={"summary": f"Deshecho el caso #{case.id}", "case_id": case.id, "what": what},
        undo_of_id=case.audit_id,
    )
    if subject is not None:
        user = UserRef(
            channel=subject.channel, user_id=subject.user_id, display_name=subject.display_name
        )
        adapter = ms.app.adapters.get(subject.channel)
        private = adapter.private_chat(user) if adapter else None
        if private is not None:
            ms.emit(
                SendMessage(
                    chat=private,
                    text=texts.ENF_UNDONE_PERSON.format(
                        who=subject.display_name or texts.MOD_DEFAULT_WHO,
                        case=case.id,
                        what=description,
                    ),
                ),
                purpose="moderation.undo_notice",
            )
    return description

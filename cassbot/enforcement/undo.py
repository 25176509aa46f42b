"""Undoing sanctions in one step, and readmitting people whose ban was lifted."""

from __future__ import annotations

from sqlalchemy import select

from cassbot import texts
from cassbot.actions import AddMember, CreateInviteLink, SendMessage, UnbanMember
from cassbot.adapter import Capability
from cassbot.audit import add_audit_entry
from cassbot.events import ChatRef, UserRef
from cassbot.pipeline import Context
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
    ctx: Context, community_id: str, person_id: int, *, by: str, case_id: int | None = None
) -> int:
    query = select(CommunityBan).where(
        CommunityBan.community_id == community_id,
        CommunityBan.person_id == person_id,
        CommunityBan.lifted_at.is_(None),
    )
    if case_id is not None:
        query = query.where(CommunityBan.case_id == case_id)
    bans = (await ctx.session.execute(query)).scalars().all()
    for ban in bans:
        ban.lifted_at = ctx.now
        ban.lifted_by = by
    return len(bans)


async def readmit(ctx: Context, community_id: str, person_id: int) -> bool:
    """Let the person back into the community's groups: add them, or send an invite link.

    Returns True when at least one channel could add them directly.
    """
    rows = (
        await ctx.session.execute(
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
        adapter = ctx.app.adapters.get(group.channel)
        if adapter is None:
            continue
        chat = ChatRef(channel=group.channel, chat_id=group.chat_id)
        user = UserRef(
            channel=identity.channel, user_id=identity.user_id, display_name=identity.display_name
        )
        key = f"readmit:{ctx.event_id}:{group.id}:{identity.id}"
        if adapter.supports(Capability.UNBAN_MEMBER):
            ctx.emit(
                UnbanMember(chat=chat, user=user), purpose="readmit.unban", key=f"{key}:unban"
            )
        if adapter.supports(Capability.ADD_MEMBER):
            ctx.emit(AddMember(chat=chat, user=user), purpose="readmit.add", key=f"{key}:add")
            added = True
        elif adapter.supports(Capability.INVITE_LINK):
            ctx.emit(
                CreateInviteLink(chat=chat, user=user),
                purpose="readmit.invite",
                key=f"{key}:invite",
            )
    return added


async def undo_case(ctx: Context, case: ModerationCase, *, by: str) -> str | None:
    """Reverse a sanction: points cleared, ban lifted and the person readmitted, all audited.

    Returns a Spanish description of what was undone (None when it already was).
    """
    if case.status == "undone":
        return None
    what: list[str] = []
    points = (
        (
            await ctx.session.execute(
                select(PointsRecord).where(
                    PointsRecord.case_id == case.id, PointsRecord.cleared_at.is_(None)
                )
            )
        )
        .scalars()
        .all()
    )
    for record in points:
        record.cleared_at = ctx.now
        record.cleared_by = by
        record.cleared_reason = "undone"
    if points:
        what.append(texts.ENF_UNDO_WHAT_POINTS)
    if await lift_bans(ctx, case.community_id, case.subject_person_id, by=by, case_id=case.id):
        what.append(texts.ENF_UNDO_WHAT_BAN)
        await readmit(ctx, case.community_id, case.subject_person_id)
    case.status = "undone"
    case.reviewed_by = by
    case.reviewed_at = ctx.now
    original = await ctx.session.get(AuditEntry, case.audit_id) if case.audit_id else None
    if original is not None:
        original.undone_at = ctx.now
        original.undone_by = by
    subject = await ctx.session.get(Identity, case.subject_identity_id)
    description = ", ".join(what) or texts.ENF_SUMMARY_RECORDED.lower()
    add_audit_entry(
        ctx.session,
        at=ctx.now,
        community_id=case.community_id,
        group_id=case.group_id,
        actor_kind="official",
        actor_identity_id=ctx.sender.identity.id if ctx.sender else None,
        actor_name=by,
        action="moderation.undo",
        rule_id=case.rule_id,
        subject_identity_id=case.subject_identity_id,
        event_id=ctx.event_id,
        detail={"summary": f"Deshecho el caso #{case.id}", "case_id": case.id, "what": what},
        undo_of_id=case.audit_id,
    )
    if subject is not None:
        user = UserRef(
            channel=subject.channel, user_id=subject.user_id, display_name=subject.display_name
        )
        adapter = ctx.app.adapters.get(subject.channel)
        private = adapter.private_chat(user) if adapter else None
        if private is not None:
            ctx.emit(
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

"""Arrivals matched to approved admissions: who came in through which link, and join requests.

An approved person enters a channel that cannot add people (Telegram) through a one-time
invite link made for their admission, or asks to join and is approved. The link they used, or
the identity they already have, says which admission that is; the arrival's identity is then
linked to the applicant's person (the one with the phone number), so warnings, bans and
notices follow them across channels. A requester nobody approved is left for the admins.
"""

from __future__ import annotations

import logging

from sqlalchemy import or_, select

from cassbot import texts
from cassbot.actions import ApproveJoin
from cassbot.adapter import Capability
from cassbot.events import JoinRequested, UserRef
from cassbot.notify import notify_officials
from cassbot.people import active_ban, identity_for, link_identity
from cassbot.pipeline import Context
from cassbot.settings import OfficialSettings
from cassbot.storage.models import Admission, Appeal, Identity, Person, RegistrationRequest

logger = logging.getLogger(__name__)

OPEN_ADMISSIONS = ("planned", "added", "invite_pending", "invite_sent")


async def admission_by_link(ctx: Context, invite_link: str | None) -> Admission | None:
    """The open admission to this group whose invite link was used, if any."""
    if not invite_link or ctx.group is None:
        return None
    return (
        await ctx.session.execute(
            select(Admission)
            .where(
                Admission.group_id == ctx.group.id,
                Admission.invite_link == invite_link,
                Admission.status.in_(OPEN_ADMISSIONS),
            )
            .order_by(Admission.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def open_admission(ctx: Context, person: Person, user: UserRef) -> Admission | None:
    """The person's open admission to this group (by person, or by the identity it named)."""
    assert ctx.group is not None
    return (
        await ctx.session.execute(
            select(Admission)
            .where(
                or_(Admission.person_id == person.id, Admission.user_id == user.user_id),
                Admission.group_id == ctx.group.id,
                Admission.status.in_(OPEN_ADMISSIONS),
            )
            .order_by(Admission.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def approved_without_admission(ctx: Context, person: Person, community_id: str) -> bool:
    """An approved registration request or an upheld appeal for this person here."""
    conditions = [RegistrationRequest.person_id == person.id]
    if person.phone:
        conditions.append(RegistrationRequest.phone == person.phone)
    approved = (
        await ctx.session.execute(
            select(RegistrationRequest.id)
            .where(
                RegistrationRequest.community_id == community_id,
                RegistrationRequest.status == "approved",
                or_(*conditions),
            )
            .limit(1)
        )
    ).first()
    if approved is not None:
        return True
    upheld = (
        await ctx.session.execute(
            select(Appeal.id)
            .where(
                Appeal.person_id == person.id,
                Appeal.community_id == community_id,
                Appeal.status == "upheld",
            )
            .limit(1)
        )
    ).first()
    return upheld is not None


async def claim(ctx: Context, admission: Admission, identity: Identity, user: UserRef) -> Person:
    """This identity came through `admission`: make it the applicant's; returns its person."""
    applicant = await ctx.session.get(Person, admission.person_id)
    assert applicant is not None
    linked = await link_identity(ctx.session, identity, applicant)
    admission.user_id = admission.user_id or user.user_id
    admission.updated_at = ctx.now
    await ctx.audit(
        "admission_claimed",
        subject=identity,
        actor_kind="bot",
        detail={"admission_id": admission.id, "linked": linked},
    )
    if not linked:
        # Someone already known with another number used the applicant's one-time link.
        logger.warning(
            "an admission's invite link was used by a person with another phone number",
            extra={"admission_id": admission.id, "chat": ctx.chat.key},
        )
    person = applicant if linked else await ctx.session.get(Person, identity.person_id)
    assert person is not None
    if ctx.sender is not None and ctx.sender.identity.id == identity.id:
        ctx.sender.person = person  # later stages see who this really is
    return person


async def handle_join_request(ctx: Context, event: JoinRequested) -> None:
    """Approve an approved applicant's request to join; leave anyone else for the admins."""
    assert ctx.group is not None
    assert ctx.place is not None
    community_id = ctx.place.community.id
    user = event.member
    identity, person = await identity_for(ctx.session, user, now=ctx.now)
    banned = await active_ban(ctx.session, community_id, person.id) is not None
    admission = None if banned else await admission_by_link(ctx, event.invite_link)
    if admission is not None:
        person = await claim(ctx, admission, identity, user)
        banned = await active_ban(ctx.session, community_id, person.id) is not None
    elif not banned:
        admission = await open_admission(ctx, person, user)
        if admission is not None:
            admission.user_id = admission.user_id or user.user_id
    official = ctx.app.directory.official_for(user)
    approved = not banned and (
        admission is not None
        or (official is not None and official.covers(community_id))
        or await approved_without_admission(ctx, person, community_id)
    )
    adapter = ctx.app.adapters.get(ctx.chat.channel)
    if approved and adapter is not None and adapter.supports(Capability.APPROVE_JOIN):
        entry = await ctx.audit(
            "join_request_approved",
            subject=identity,
            actor_kind="bot",
            detail={"admission_id": admission.id if admission else None},
        )
        ctx.emit(
            ApproveJoin(chat=ctx.chat, user=user), purpose="join_request_approved", audit=entry
        )
        return
    await _leave_for_the_admins(ctx, user, identity, banned=banned, approved=approved)


async def _leave_for_the_admins(
    ctx: Context, user: UserRef, identity: Identity, *, banned: bool, approved: bool
) -> None:
    assert ctx.place is not None
    community_id = ctx.place.community.id
    group_name = ctx.place.group.name or ctx.place.community.name
    why = "banned" if banned else "cannot_approve" if approved else "unregistered"
    await ctx.audit(
        "join_request_pending", subject=identity, actor_kind="bot", detail={"why": why}
    )
    channel = texts.CHANNEL_NAMES.get(ctx.chat.channel, ctx.chat.channel)
    await notify_officials(
        ctx.app,
        ctx.session,
        reviewers_of(ctx, community_id),
        texts.JOIN_REQUEST_PENDING.format(
            name=user.display_name or identity.display_name or user.user_id,
            group=group_name,
            channel=channel,
            why=texts.JOIN_REQUEST_WHY[why],
            url=ctx.app.base_url,
            community_id=community_id,
        ),
        key=f"join_request:{ctx.event_id}",
        purpose="join_request_pending",
        community_id=community_id,
        cause_event_id=ctx.event_id,
        email_subject=texts.JOIN_REQUEST_PENDING_SUBJECT.format(group=group_name),
    )
    if why == "unregistered":
        ctx.tell_privately(
            user,
            texts.JOIN_REQUEST_REGISTER.format(group=group_name, url=ctx.app.base_url),
            purpose="join_request_register",
            fallback_in_chat=False,
        )


def reviewers_of(ctx: Context, community_id: str) -> list[OfficialSettings]:
    """Who hears of unapproved arrivals: the registration reviewers and the bot's
    administrators (not every department: a water director has no use for roster notices)."""
    directory = ctx.app.directory
    reviewers = directory.officials_for(
        community_id, departments=ctx.app.settings.registration.reviewer_departments
    )
    admins = directory.officials_for(community_id, roles=["administrador"])
    return reviewers + [o for o in admins if o not in reviewers]

"""The registration stage: joins checked against approved requests, officials made admins,
join requests answered, members removed by an admin put on the community's ban list.

It sits before the core membership stage to see who someone was before the event (a member
who had left and comes back is not a stranger; a newcomer through an admission's invite link
is the applicant), and acts after the rest of the pipeline ran (so a banned person, already
removed by the membership stage, is not flagged twice).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from cassbot import texts
from cassbot.actions import RemoveMember, SendMessage
from cassbot.events import JoinRequested, MemberJoined, MemberLeft, MessagePosted, UserRef
from cassbot.notify import notify_officials
from cassbot.people import identity_for, membership_of
from cassbot.pipeline import Context, Next
from cassbot.registration.arrivals import (
    admission_by_link,
    approved_without_admission,
    claim,
    handle_join_request,
    open_admission,
    reviewers_of,
)
from cassbot.registration.bans import record_ban
from cassbot.registration.common import audit
from cassbot.registration.roster import plan_official_admin
from cassbot.storage.models import Admission, MemberReview, Person

logger = logging.getLogger(__name__)


class RegistrationStage:
    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        was_member = False
        by_link: Admission | None = None
        if isinstance(event, MemberJoined) and ctx.group is not None and not event.member.is_bot:
            identity, _ = await identity_for(ctx.session, event.member, now=ctx.now)
            prior = await membership_of(ctx.session, ctx.group, identity)
            was_member = prior is not None and prior.status in ("active", "left")
            # Who came in through an admission's link is the applicant: known as such before
            # the membership stage checks the community's ban list.
            by_link = await admission_by_link(ctx, event.invite_link)
            if by_link is not None:
                await claim(ctx, by_link, identity, event.member)
        await call_next()
        if ctx.group is None or ctx.place is None:
            return
        if isinstance(event, MemberJoined) and not event.member.is_bot:
            await self._joined(ctx, event.member, was_member=was_member, by_link=by_link)
        elif isinstance(event, JoinRequested) and not event.member.is_bot:
            await handle_join_request(ctx, event)
        elif isinstance(event, MemberLeft) and not event.member.is_bot:
            await self._left(ctx, event)
        elif isinstance(event, MessagePosted) and ctx.sender and ctx.sender.official:
            membership = ctx.sender.membership
            if membership is not None and ctx.sender.official.covers(ctx.place.community.id):
                await plan_official_admin(
                    ctx.app, ctx.session, ctx.group, membership, ctx.sender.user, now=ctx.now
                )

    async def _joined(
        self, ctx: Context, user: UserRef, *, was_member: bool, by_link: Admission | None
    ) -> None:
        assert ctx.group is not None
        assert ctx.place is not None
        community_id = ctx.place.community.id
        identity, person = await identity_for(ctx.session, user, now=ctx.now)
        membership = await membership_of(ctx.session, ctx.group, identity)
        official = ctx.app.directory.official_for(user)
        if official is not None:
            if membership is not None and official.covers(community_id):
                await plan_official_admin(
                    ctx.app, ctx.session, ctx.group, membership, user, now=ctx.now
                )
            return
        if any(p.purpose == "ban_enforced" for p in ctx.planned):
            return  # on the ban list: the membership stage already takes them out
        if await self._admitted(ctx, person, community_id, user, by_link):
            return
        if was_member or membership is None:
            return
        review = (
            await ctx.session.execute(
                select(MemberReview).where(MemberReview.membership_id == membership.id)
            )
        ).scalar_one_or_none()
        if review is None:
            review = MemberReview(
                membership_id=membership.id, reason="sin_solicitud", flagged_at=ctx.now
            )
            ctx.session.add(review)
        elif review.resolution == "accepted":
            return  # an official already accepted this member
        else:
            review.flagged_at, review.resolved_at, review.resolution = ctx.now, None, None
        remove = self._remove_unapproved(ctx, community_id)
        # A group in trial mode records the removal it would make and carries out nothing.
        trial = remove and ctx.dry_run
        entry = await ctx.audit(
            "member_unapproved",
            subject=identity,
            actor_kind="bot",
            detail={"removed": remove and not trial, "would_remove": trial},
            dry_run=trial,
        )
        group_name = ctx.place.group.name or ctx.place.community.name
        note = "."
        if trial:
            note = texts.UNAPPROVED_TRIAL_NOTE
        elif remove:
            note = texts.UNAPPROVED_REMOVED_NOTE
        await notify_officials(
            ctx.app,
            ctx.session,
            reviewers_of(ctx, community_id),
            texts.UNAPPROVED_JOIN.format(
                name=user.display_name or identity.display_name or user.user_id,
                group=group_name,
                url=ctx.app.base_url,
                community_id=community_id,
                action=note,
            ),
            key=f"review:{membership.id}:{ctx.event_id}",
            purpose="member_unapproved",
            community_id=community_id,
            cause_event_id=ctx.event_id,
            email_subject=texts.UNAPPROVED_JOIN_SUBJECT.format(group=group_name),
        )
        if not remove:
            return
        if not trial:  # in trial mode the member stays, so the review stays open
            review.resolution, review.resolved_at, review.resolved_by = (
                "removed",
                ctx.now,
                "cassbot",
            )
        ctx.emit(
            RemoveMember(chat=ctx.chat, user=user, reason="sin registro aprobado"),
            purpose="unapproved_removed",
            dry_run=trial,
            audit=entry,
        )
        adapter = ctx.app.adapters.get(user.channel)
        private = adapter.private_chat(user) if adapter else None
        if private is not None:
            ctx.emit(
                SendMessage(
                    chat=private,
                    text=texts.UNAPPROVED_REMOVED_PRIVATE.format(
                        group=group_name, url=ctx.app.base_url
                    ),
                ),
                purpose="unapproved_removed",
                dry_run=trial,
                audit=entry,
            )

    async def _admitted(
        self,
        ctx: Context,
        person: Person,
        community_id: str,
        user: UserRef,
        by_link: Admission | None,
    ) -> bool:
        """Whether this join is one we planned or approved (and mark the admission joined)."""
        admission = by_link or await open_admission(ctx, person, user)
        if admission is not None:
            admission.status = "joined"
            admission.user_id = admission.user_id or user.user_id
            admission.updated_at = ctx.now
            return True
        return await approved_without_admission(ctx, person, community_id)

    def _remove_unapproved(self, ctx: Context, community_id: str) -> bool:
        community = ctx.app.directory.community(community_id)
        own = community.registration.remove_unapproved if community else None
        return ctx.app.settings.registration.remove_unapproved if own is None else own

    async def _left(self, ctx: Context, event: MemberLeft) -> None:
        """An admin took someone out: that is an expulsion, so it goes on the ban list."""
        assert ctx.place is not None
        remover = event.removed_by
        if (
            remover is None
            or remover.is_bot
            or remover.user_id == event.member.user_id
            or not ctx.app.settings.registration.ban_on_manual_removal
        ):
            return
        _, person = await identity_for(ctx.session, event.member, now=ctx.now)
        official = ctx.app.directory.official_for(remover)
        banned_by = official.name if official else (remover.display_name or remover.user_id)
        group_name = ctx.place.group.name or ctx.place.community.name
        ban = await record_ban(
            ctx.session,
            community_id=ctx.place.community.id,
            person_id=person.id,
            reason=f"retirado(a) de {group_name} por {banned_by}",
            banned_by=banned_by,
            now=ctx.now,
        )
        await audit(
            ctx.session,
            ctx.now,
            "ban_recorded",
            community_id=ctx.place.community.id,
            group_id=ctx.group.id if ctx.group else None,
            detail={"ban_id": ban.id, "banned_by": banned_by, "source": "manual_removal"},
        )
        logger.info(
            "member removed by an admin put on the ban list",
            extra={"community": ctx.place.community.id, "ban_id": ban.id},
        )

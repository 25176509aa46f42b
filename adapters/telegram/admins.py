"""Who administers each Telegram group, and whether the bot itself can moderate there.

Telegram cannot list a group's members, but it can list its admins. A periodic job (and any
change of the bot's own status) reads them: members' `platform_admin` flags follow Telegram,
`Group.bot_is_admin` says whether the bot can delete and ban, and when the bot loses what it
needs the community's officials are told once (again only after it had the rights back and
lost them anew).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ChatMember
from telegram.error import BadRequest, Forbidden, TelegramError

from adapters.telegram.refs import CHANNEL, is_admin_status, user_ref
from cassbot import texts
from cassbot.audit import add_audit_entry
from cassbot.directory import GroupPlace
from cassbot.events import UserRef
from cassbot.notify import notify_officials
from cassbot.people import ensure_membership, group_by_chat, identity_for
from cassbot.storage.models import AdapterState, Group, Membership

if TYPE_CHECKING:
    from adapters.telegram.adapter import TelegramAdapter
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

# What the bot needs in each group: delete messages, ban (and so remove), invite by link.
REQUIRED_RIGHTS = ("can_delete_messages", "can_restrict_members", "can_invite_users")
SEND_LOG_DAYS = 7


class AdminWatcher:
    def __init__(self, app: CassBot, adapter: TelegramAdapter) -> None:
        self._app = app
        self._adapter = adapter

    async def refresh_all(self, now: datetime) -> None:
        """The periodic job: every configured Telegram group, one after the other."""
        for place in self._app.directory.groups(channel=CHANNEL):
            try:
                await self.refresh(place, now)
            except Exception:  # one group's trouble must not keep the others unchecked
                logger.exception(
                    "Telegram admin refresh failed for a group", extra={"chat": place.chat.key}
                )
        pruned = await self._adapter.prune_send_log(now - timedelta(days=SEND_LOG_DAYS))
        if pruned:
            logger.info("pruned old Telegram send records", extra={"count": pruned})

    async def refresh_chat(self, chat_id: str) -> None:
        """Re-read one group at once (the bot's own status changed there)."""
        for place in self._app.directory.groups(channel=CHANNEL):
            if place.group.chat_id == chat_id:
                await self.refresh(place, self._app.clock.now())

    async def refresh(self, place: GroupPlace, now: datetime) -> None:
        if self._adapter.stopped:
            return
        chat = place.chat
        admins: tuple[ChatMember, ...] | None
        try:
            admins = await self._adapter.administrators(chat)
            problem = rights_problem(admins, self._adapter.bot_id)
        except (Forbidden, BadRequest) as exc:  # not in the group (any more), or no such chat
            admins, problem = None, texts.TELEGRAM_NOT_IN_GROUP
            logger.warning(
                "cannot read a Telegram group's admins",
                extra={"chat": chat.key, "error": exc.message},
            )
        except TelegramError as exc:  # unreachable now: try again at the next round
            if self._adapter.stopped:
                return
            logger.warning(
                "Telegram admin refresh failed; will retry",
                extra={"chat": chat.key, "error": exc.message},
            )
            return
        async with self._app.db.transaction() as session:
            group = await group_by_chat(session, CHANNEL, chat.chat_id)
            if group is None:
                group = await self._app.sync_group(session, place)
            me = _find(admins or (), self._adapter.bot_id)
            group.bot_is_admin = me is not None and is_admin_status(me, own=True)
            if admins is not None:
                await self._sync_admins(session, group, admins, now)
            await self._track_rights(session, place, group, problem, now)

    async def _sync_admins(
        self, session: AsyncSession, group: Group, admins: tuple[ChatMember, ...], now: datetime
    ) -> None:
        bot_id = self._adapter.bot_id
        users = [user_ref(a.user, bot_id) for a in admins if str(a.user.id) != bot_id]
        # Anonymous admins post as the group itself: that identity is an admin too.
        users.append(
            UserRef(
                channel=CHANNEL,
                user_id=group.chat_id,
                display_name=texts.TELEGRAM_ANONYMOUS_ADMIN,
            )
        )
        current: set[int] = set()
        for user in users:
            identity, _ = await identity_for(session, user)
            membership = await ensure_membership(
                session, group, identity, now=now, source="reconcile"
            )
            current.add(membership.id)
            if not membership.platform_admin:
                membership.platform_admin = True
                membership.status = "active"
                self._audit(session, group, now, "member_promoted", identity.id)
        stale = await session.execute(
            select(Membership).where(
                Membership.group_id == group.id,
                Membership.platform_admin.is_(True),
                Membership.id.not_in(current),
            )
        )
        for membership in stale.scalars():
            membership.platform_admin = False
            self._audit(session, group, now, "member_demoted", membership.identity_id)

    async def _track_rights(
        self,
        session: AsyncSession,
        place: GroupPlace,
        group: Group,
        problem: str | None,
        now: datetime,
    ) -> None:
        key = f"rights:{group.chat_id}"
        state = await session.get(AdapterState, (CHANNEL, key))
        before = state.value if state is not None and isinstance(state.value, dict) else {}
        was_ok = before.get("ok", True)
        episode = int(before.get("episode", 0))
        if problem is None:
            if not was_ok:
                logger.info("the bot can moderate the Telegram group again", extra={"chat": key})
            _store(session, state, key, {"ok": True, "episode": episode}, now)
            return
        if not was_ok:
            return  # already told for this episode
        episode += 1
        _store(session, state, key, {"ok": False, "episode": episode, "problem": problem}, now)
        community = place.community
        officials = self._app.directory.officials_for(community.id)
        reached = await notify_officials(
            self._app,
            session,
            officials,
            texts.TELEGRAM_BOT_LACKS_RIGHTS.format(
                group=place.group.name or community.name, community=community.name, problem=problem
            ),
            key=f"telegram:bot-rights:{group.chat_id}:{episode}",
            purpose="telegram_bot_rights",
            community_id=community.id,
            email_subject=texts.TELEGRAM_BOT_LACKS_RIGHTS_SUBJECT,
        )
        self._audit(
            session,
            group,
            now,
            "bot_rights_missing",
            None,
            detail={"problem": problem, "notified": reached},
        )
        logger.warning(
            "the bot cannot moderate a Telegram group; officials told",
            extra={"chat": group.chat_id, "problem": problem, "notified": len(reached)},
        )
        self._app.outbox.wake()

    def _audit(
        self,
        session: AsyncSession,
        group: Group,
        now: datetime,
        action: str,
        subject_identity_id: int | None,
        detail: dict[str, object] | None = None,
    ) -> None:
        add_audit_entry(
            session,
            at=now,
            community_id=group.community_id,
            group_id=group.id,
            action=action,
            subject_identity_id=subject_identity_id,
            detail={"source": "telegram_admins", **(detail or {})},
        )


def rights_problem(admins: tuple[ChatMember, ...], bot_id: str) -> str | None:
    """What keeps the bot from moderating, in Spanish for officials; None when nothing does."""
    me = _find(admins, bot_id)
    if me is None:
        return texts.TELEGRAM_NOT_ADMIN
    if me.status == ChatMember.OWNER:
        return None
    missing = [right for right in REQUIRED_RIGHTS if not getattr(me, right, False)]
    if not missing:
        return None
    names = ", ".join(texts.TELEGRAM_RIGHT_NAMES[right] for right in missing)
    return texts.TELEGRAM_MISSING_RIGHTS.format(rights=names)


def _find(admins: tuple[ChatMember, ...], bot_id: str) -> ChatMember | None:
    return next((a for a in admins if str(a.user.id) == bot_id), None)


def _store(
    session: AsyncSession,
    state: AdapterState | None,
    key: str,
    value: dict[str, object],
    now: datetime,
) -> None:
    if state is None:
        session.add(AdapterState(channel=CHANNEL, key=key, value=value, updated_at=now))
    elif state.value != value:
        state.value = value
        state.updated_at = now

"""Reconcile: bring the database's rosters in line with what a channel says is in each group.

Events can be missed (cassbot was down, the gateway dropped them), so at start-up and then
periodically the roster of every group on a channel that can list members is compared with the
memberships: who joined or left meanwhile, who is an admin, whether the bot itself is one. A
member on the community's ban list found in the group is removed again. Everything done is
written to the audit log; removals go through the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import RemoveMember
from cassbot.adapter import Capability, MemberInfo, UnsupportedOperation
from cassbot.audit import add_audit_entry
from cassbot.bot_rights import record_bot_admin
from cassbot.directory import GroupPlace
from cassbot.people import active_ban, group_by_chat, identity_for, membership_of
from cassbot.storage.models import AuditEntry, Group, Identity, Membership

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ReconcileReport:
    chat: str
    ok: bool = True
    error: str = ""
    members: int = 0
    joined: int = 0
    left: int = 0
    role_changes: int = 0
    bans_enforced: int = 0
    bot_is_admin: bool | None = None


class Reconciler:
    def __init__(self, app: CassBot) -> None:
        self._app = app

    async def run(self, channel: str | None = None) -> list[ReconcileReport]:
        """Reconcile every configured group (of one channel) whose adapter can list members."""
        reports = []
        for place in self._app.directory.groups(channel=channel):
            adapter = self._app.adapters.get(place.group.channel)
            if adapter is None or not adapter.supports(Capability.LIST_MEMBERS):
                continue
            reports.append(await self.reconcile_group(place))
        if any(r.bans_enforced for r in reports):
            self._app.outbox.wake()
        return reports

    async def reconcile_group(self, place: GroupPlace) -> ReconcileReport:
        report = ReconcileReport(chat=place.chat.key)
        adapter = self._app.adapters.get(place.group.channel)
        assert adapter is not None
        try:
            roster = await adapter.list_members(place.chat)
        except UnsupportedOperation:
            report.ok, report.error = False, "the channel cannot list members"
            return report
        except Exception as exc:  # the gateway is down, the bot left the group…
            report.ok, report.error = False, f"{type(exc).__name__}: {exc}"
            logger.warning(
                "could not read a group's roster; will try again later",
                extra={"chat": report.chat, "error": report.error},
            )
            return report
        now = self._app.clock.now()
        async with self._app.db.transaction() as session:
            group = await group_by_chat(session, place.group.channel, place.group.chat_id)
            if group is None:
                group = await self._app.sync_group(session, place)
            await self._apply(session, place, group, roster, now, report, adapter)
        logger.info(
            "roster reconciled",
            extra={
                "chat": report.chat,
                "members": report.members,
                "joined": report.joined,
                "left": report.left,
                "role_changes": report.role_changes,
                "bans_enforced": report.bans_enforced,
                "bot_is_admin": report.bot_is_admin,
            },
        )
        return report

    async def _apply(
        self,
        session: AsyncSession,
        place: GroupPlace,
        group: Group,
        roster: list[MemberInfo],
        now: datetime,
        report: ReconcileReport,
        adapter: Any,
    ) -> None:
        bot = [m for m in roster if m.user.is_bot]
        people = [m for m in roster if not m.user.is_bot]
        report.members = len(people)
        if bot:
            report.bot_is_admin = any(m.admin or m.superadmin for m in bot)
            await record_bot_admin(
                self._app,
                session,
                group,
                report.bot_is_admin,
                now=now,
                account=getattr(adapter, "bot_phone", None),
            )
        present_identities: set[int] = set()
        present_people: set[int] = set()
        for info in people:
            identity, person = await identity_for(session, info.user)
            present_identities.add(identity.id)
            present_people.add(person.id)
            membership = await membership_of(session, group, identity)
            if membership is None or membership.status != "active":
                if membership is None:
                    membership = Membership(
                        group_id=group.id,
                        identity_id=identity.id,
                        role="vecino",
                        message_count=0,
                    )
                    session.add(membership)
                membership.status = "active"
                membership.source = "reconcile"
                membership.joined_at = now
                membership.left_at = None
                await session.flush()
                self._audit(session, group, now, "member_joined", identity, {"via": "reconcile"})
                report.joined += 1
            admin = info.admin or info.superadmin
            if bool(membership.platform_admin) != admin:
                membership.platform_admin = admin
                self._audit(
                    session,
                    group,
                    now,
                    "member_promoted" if admin else "member_demoted",
                    identity,
                    {"via": "reconcile"},
                )
                report.role_changes += 1
            if await self._enforce_ban(session, place, group, identity, person.id, info, now):
                report.bans_enforced += 1
        if not bot:
            # Without the bot in it the roster is not the whole group: mark nobody as gone.
            logger.warning("the bot is not in the roster it read", extra={"chat": report.chat})
            return
        active = await session.execute(
            select(Membership, Identity)
            .join(Identity, Identity.id == Membership.identity_id)
            .where(Membership.group_id == group.id, Membership.status == "active")
        )
        for membership, identity in active.all():
            if identity.id in present_identities or identity.person_id in present_people:
                continue
            membership.status = "left"
            membership.left_at = now
            self._audit(session, group, now, "member_left", identity, {"via": "reconcile"})
            report.left += 1

    async def _enforce_ban(
        self,
        session: AsyncSession,
        place: GroupPlace,
        group: Group,
        identity: Identity,
        person_id: int,
        info: MemberInfo,
        now: datetime,
    ) -> bool:
        ban = await active_ban(session, group.community_id, person_id)
        if ban is None:
            return False
        dry_run = group.dry_run_override if group.dry_run_override is not None else group.dry_run
        entry = self._audit(
            session,
            group,
            now,
            "ban_enforced",
            identity,
            {"ban_id": ban.id, "reason": ban.reason, "via": "reconcile"},
            actor_kind="bot",
            dry_run=dry_run,
        )
        await session.flush()
        await self._app.outbox.enqueue(
            session,
            RemoveMember(chat=place.chat, user=info.user, reason="community ban"),
            key=f"reconcile:ban:{group.id}:{identity.id}:{ban.id}:{now.timestamp():.0f}",
            purpose="ban_enforced",
            community_id=group.community_id,
            audit_id=entry.id,
            dry_run=dry_run,
        )
        return True

    @staticmethod
    def _audit(
        session: AsyncSession,
        group: Group,
        now: datetime,
        action: str,
        subject: Identity | None,
        detail: dict[str, Any],
        *,
        actor_kind: str = "system",
        dry_run: bool = False,
    ) -> AuditEntry:
        return add_audit_entry(
            session,
            at=now,
            community_id=group.community_id,
            group_id=group.id,
            actor_kind=actor_kind,
            action=action,
            subject_identity_id=subject.id if subject else None,
            detail=detail,
            dry_run=dry_run,
        )

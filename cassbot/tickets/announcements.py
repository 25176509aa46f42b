"""Announcements: an official's notice to one, several or all communities, now or at a set time.

Delivery fans out through the outbox, one row per group under the stable key
`announcement:<id>:<channel>:<chat>`, so each group gets it once even when the fan-out runs
again after a restart; each channel's rate limits apply as for any send. The delivery status
per group comes back from the outbox result hook.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.actions import Action, ActionResult, SendMessage
from cassbot.commands import CommandRegistry, CommandSpec, ParsedCommand
from cassbot.people import group_by_chat
from cassbot.pipeline import Context
from cassbot.scheduler import Scheduler
from cassbot.storage.models import Announcement, AnnouncementDelivery, OutboxAction, Timer
from cassbot.storage.upsert import insert_ignore
from cassbot.tickets.catalog import department_name
from cassbot.tickets.intake import find_community
from cassbot.tickets.notices import is_admin, local_time

if TYPE_CHECKING:
    from cassbot.app import CassBot

_WHEN = re.compile(
    r"^--\s*(?:a\s+las|el|para)\s+(\d{4}-\d{1,2}-\d{1,2})[ T]+(\d{1,2}:\d{2})\s+", re.I
)
ALL = frozenset({"todas", "todos", "*"})
KEY_PREFIX = "announcement:"


class Announcements:
    def __init__(self, app: CassBot) -> None:
        self.app = app

    def install(self, registry: CommandRegistry) -> None:
        registry.register(
            CommandSpec(
                "aviso",
                self.aviso,
                "envía un aviso a una, varias o todas las comunidades (puede programarse)",
                usage="<comunidades|todas> <texto>",
                roles=frozenset({"funcionario", "administrador"}),
            )
        )
        registry.register(
            CommandSpec(
                "avisos",
                self.avisos,
                "muestra los últimos avisos y su entrega",
                usage="[cancelar N]",
                roles=frozenset({"funcionario", "administrador"}),
            )
        )
        self.app.scheduler.on("announcement", self._due)
        self.app.outbox.on_result(self._result, kind="send")

    # /aviso ---------------------------------------------------------------------------------

    async def aviso(self, ctx: Context, command: ParsedCommand) -> None:
        assert ctx.sender is not None
        official = ctx.sender.official
        if official is None:
            ctx.reply(texts.TK_NOT_OFFICIAL, purpose="command")
            return
        settings = self.app.settings.tickets
        args = command.args
        when: datetime | None = None
        match = _WHEN.match(args)
        if match is not None:
            raw = f"{match.group(1)} {match.group(2)}"
            try:
                local = datetime.strptime(raw, "%Y-%m-%d %H:%M")
            except ValueError:
                ctx.reply(texts.AV_BAD_TIME.format(value=raw), purpose="command")
                return
            when = local.replace(tzinfo=settings.zone).astimezone(ctx.now.tzinfo)
            if when <= ctx.now:
                ctx.reply(texts.AV_PAST_TIME.format(when=raw), purpose="command")
                return
            args = args[match.end() :]
        elif args.startswith("--"):
            ctx.reply(texts.AV_BAD_TIME.format(value=args.split("\n")[0][:40]), purpose="command")
            return
        parts = args.split(None, 1)
        known = ", ".join(c.id for c in self.app.directory.communities)
        if not parts:
            ctx.reply(texts.AV_USAGE.format(communities=known), purpose="command")
            return
        if len(parts) == 1 or not parts[1].strip():
            ctx.reply(texts.AV_EMPTY, purpose="command")
            return
        destinations, text = parts[0], parts[1].strip()
        if len(text) > settings.announcement_max_chars:
            ctx.reply(
                texts.AV_TOO_LONG.format(limit=settings.announcement_max_chars), purpose="command"
            )
            return
        communities: list[str] = []
        if destinations.lower() in ALL:
            communities = [
                c.id
                for c in self.app.directory.communities
                if is_admin(official) or official.covers(c.id)
            ]
        else:
            for name in filter(None, (n.strip() for n in destinations.split(","))):
                community = find_community(ctx, name)
                if community is None:
                    ctx.reply(
                        texts.AV_UNKNOWN_COMMUNITY.format(name=name, communities=known),
                        purpose="command",
                    )
                    return
                if not (is_admin(official) or official.covers(community.id)):
                    ctx.reply(texts.AV_NOT_COVERED.format(name=community.name), purpose="command")
                    return
                if community.id not in communities:
                    communities.append(community.id)
        if not any(self.app.directory.groups(c) for c in communities):
            ctx.reply(texts.AV_NO_GROUPS, purpose="command")
            return
        announcement = Announcement(
            author_name=ctx.sender.name,
            author_identity_id=ctx.sender.identity.id,
            department=official.department,
            text=text,
            communities=communities,
            status="programado" if when else "enviando",
            scheduled_for=when,
            created_at=ctx.now,
        )
        ctx.session.add(announcement)
        await ctx.session.flush()
        await ctx.audit(
            "announcement_created",
            detail={
                "announcement_id": announcement.id,
                "communities": communities,
                "scheduled_for": when.isoformat() if when else None,
            },
        )
        if when is not None:
            await Scheduler.schedule(
                ctx.session,
                "announcement",
                f"{KEY_PREFIX}{announcement.id}",
                when,
                {"announcement_id": announcement.id},
            )
            ctx.reply(
                texts.AV_SCHEDULED.format(
                    id=announcement.id,
                    when=local_time(self.app, when),
                    communities=len(communities),
                ),
                purpose="command",
            )
            return
        groups = await self.fan_out(ctx.session, announcement, ctx.now)
        ctx.reply(
            texts.AV_QUEUED.format(
                id=announcement.id, groups=groups, communities=len(communities)
            ),
            purpose="command",
        )

    async def fan_out(
        self, session: AsyncSession, announcement: Announcement, now: datetime
    ) -> int:
        """Queue the announcement for every group of its communities (safe to run again)."""
        text = texts.AV_MESSAGE.format(
            department=department_name(announcement.department), text=announcement.text
        )
        count = 0
        for community_id in announcement.communities:
            for place in self.app.directory.groups(community_id):
                group = await group_by_chat(session, place.group.channel, place.group.chat_id)
                if group is None:
                    group = await self.app.sync_group(session, place)
                key = f"{KEY_PREFIX}{announcement.id}:{place.group.channel}:{place.group.chat_id}"
                await insert_ignore(
                    session,
                    AnnouncementDelivery.__table__,  # type: ignore[arg-type]
                    {
                        "announcement_id": announcement.id,
                        "community_id": community_id,
                        "group_id": group.id,
                        "outbox_key": key,
                        "status": "pendiente",
                        "updated_at": now,
                    },
                    conflict=["announcement_id", "group_id"],
                )
                await self.app.outbox.enqueue(
                    session,
                    SendMessage(chat=place.chat, text=text),
                    key=key,
                    purpose="announcement",
                    community_id=community_id,
                )
                count += 1
        announcement.status = "enviando"
        announcement.dispatched_at = announcement.dispatched_at or now
        return count

    async def _due(self, session: AsyncSession, timer: Timer, now: datetime) -> None:
        announcement = await session.get(Announcement, timer.payload.get("announcement_id"))
        if announcement is None or announcement.status == "cancelado":
            return
        await self.fan_out(session, announcement, now)

    async def _result(
        self, session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        key = row.idempotency_key
        if not key.startswith(KEY_PREFIX) or key.endswith(":fallback"):
            return
        delivery = (
            await session.execute(
                select(AnnouncementDelivery).where(AnnouncementDelivery.outbox_key == key)
            )
        ).scalar_one_or_none()
        if delivery is None:
            return
        delivery.status = {"done": "entregado", "failed": "fallido"}.get(
            row.status, "reintentando"
        )
        delivery.detail = result.detail[:2000] if result.detail else None
        delivery.updated_at = self.app.clock.now()
        if row.status == "done":
            delivery.delivered_at = row.executed_at

    # /avisos ---------------------------------------------------------------------------------

    async def avisos(self, ctx: Context, command: ParsedCommand) -> None:
        argv = command.argv
        if len(argv) == 2 and argv[0].lower() == "cancelar" and argv[1].isdigit():
            await self._cancel(ctx, int(argv[1]))
            return
        rows = (
            (
                await ctx.session.execute(
                    select(Announcement).order_by(Announcement.id.desc()).limit(5)
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            ctx.reply(texts.AV_LIST_NONE, purpose="command")
            return
        lines = [texts.AV_LIST_HEADER]
        for item in rows:
            counts = dict(
                (
                    await ctx.session.execute(
                        select(AnnouncementDelivery.status, func.count())
                        .where(AnnouncementDelivery.announcement_id == item.id)
                        .group_by(AnnouncementDelivery.status)
                    )
                ).all()
            )
            total = sum(counts.values())
            failed = counts.get("fallido", 0)
            lines.append(
                texts.AV_LIST_LINE.format(
                    id=item.id,
                    status=texts.AV_STATUS.get(item.status, item.status),
                    when=local_time(self.app, item.scheduled_for or item.created_at),
                    delivered=counts.get("entregado", 0),
                    total=total,
                    failed=texts.AV_LIST_FAILED.format(count=failed) if failed else "",
                )
            )
        ctx.reply("\n".join(lines), purpose="command")

    async def _cancel(self, ctx: Context, announcement_id: int) -> None:
        announcement = await ctx.session.get(Announcement, announcement_id)
        if announcement is None or announcement.status != "programado":
            ctx.reply(texts.AV_CANNOT_CANCEL.format(id=announcement_id), purpose="command")
            return
        announcement.status = "cancelado"
        await Scheduler.cancel(ctx.session, f"{KEY_PREFIX}{announcement_id}")
        await ctx.audit("announcement_cancelled", detail={"announcement_id": announcement_id})
        ctx.reply(texts.AV_CANCELLED.format(id=announcement_id), purpose="command")

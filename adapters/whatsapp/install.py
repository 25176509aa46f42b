"""Wiring the WhatsApp channel into the app: the adapter, the roster reconcile and result hooks.

- Reconcile every configured WhatsApp group at start-up and every `reconcile_interval_s`.
- An admin-only action refused because the bot is not an admin tells the officials (once).
- A person WhatsApp refuses to add gets the group's invite link in a private message.
- The administrators hear (once per lapse) when the session needs a person (QR code…).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.whatsapp.adapter import NOT_ADMIN_DETAIL, WhatsAppAdapter
from adapters.whatsapp.alerts import SessionAlertStage
from adapters.whatsapp.normalise import CHANNEL
from cassbot import texts
from cassbot.actions import Action, ActionResult, AddMember, CreateInviteLink, SendMessage
from cassbot.bot_rights import record_bot_admin
from cassbot.people import group_by_chat
from cassbot.reconcile import Reconciler
from cassbot.storage.models import OutboxAction

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

INVITE_PURPOSE = "add_refused_invite"


def install_whatsapp(app: CassBot) -> WhatsAppAdapter:
    settings = app.settings.adapters.whatsapp
    # A pacing wait must end well before the outbox gives up on the call.
    max_wait = min(settings.max_pacing_wait_s, app.settings.outbox.execute_timeout_s / 2)
    adapter = WhatsAppAdapter(settings, max_wait_s=max_wait)
    reconciler = Reconciler(app)

    async def reconcile(now: datetime) -> None:
        if adapter.status != "WORKING":
            logger.info("WhatsApp roster check skipped: session is %s", adapter.status)
            return
        await reconciler.run(channel=CHANNEL)

    async def not_admin(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        if action.channel != CHANNEL or result.status != "forbidden":
            return
        if result.detail != NOT_ADMIN_DETAIL:
            return
        group = await group_by_chat(session, CHANNEL, action.target.chat_id)
        if group is not None:
            await record_bot_admin(
                app, session, group, False, now=app.clock.now(), account=adapter.bot_phone
            )

    async def add_refused(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        if action.channel != CHANNEL or not isinstance(action, AddMember):
            return
        if not action.invite_on_refusal:
            return  # the producer sends its own invite link
        if row.status != "failed" or result.detail == NOT_ADMIN_DETAIL:
            return  # an invite link needs admin rights too
        await app.outbox.enqueue(
            session,
            CreateInviteLink(chat=action.chat, user=action.user),
            key=f"{row.idempotency_key}:invite",
            purpose=INVITE_PURPOSE,
            cause_event_id=row.cause_event_id,
            community_id=row.community_id,
            audit_id=row.audit_id,
        )

    async def send_invite(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        if action.channel != CHANNEL or row.purpose != INVITE_PURPOSE:
            return
        if not isinstance(action, CreateInviteLink) or action.user is None:
            return
        if not result.ok or not result.platform_ref:
            return
        place = app.directory.place(action.chat)
        name = action.user.display_name
        text = texts.WHATSAPP_ADD_REFUSED_INVITE.format(
            name=f", {name}" if name else "",
            group=(place.group.name or place.community.name) if place else action.chat.chat_id,
            link=result.platform_ref,
        )
        await app.outbox.enqueue(
            session,
            SendMessage(chat=adapter.private_chat(action.user), text=text),
            key=f"{row.idempotency_key}:send",
            purpose="invite_link",
            cause_event_id=row.cause_event_id,
            community_id=row.community_id,
            audit_id=row.audit_id,
        )

    app.pipeline.insert("whatsapp_session_alert", SessionAlertStage(app), after="membership")
    app.scheduler.every("whatsapp-reconcile", settings.reconcile_interval_s, reconcile)
    app.outbox.on_result(not_admin)
    app.outbox.on_result(add_refused, kind="add")
    app.outbox.on_result(send_invite, kind="invite_link")
    return adapter

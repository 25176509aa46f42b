"""Telling the bot's administrators when the WhatsApp session needs a person.

A phone unlinked from WhatsApp (QR code to scan), a failed or stopped session, or a refused API
key silently stops all moderation on WhatsApp. The administrators (officials with the role
`administrador`) are told once per lapse, on their other channels and by e-mail: a WhatsApp
message would wait for the very session that is broken.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adapters.whatsapp.normalise import CHANNEL
from adapters.whatsapp.session import WORKING
from cassbot import texts
from cassbot.events import ChannelStatus
from cassbot.notify import notify_officials
from cassbot.pipeline import Context, Next
from cassbot.storage.models import AdapterState

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

STATE_KEY = "session_alert"


class SessionAlertStage:
    def __init__(self, app: CassBot) -> None:
        self._app = app

    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        if isinstance(event, ChannelStatus) and event.chat.channel == CHANNEL:
            await self._handle(ctx, event.status)
        await call_next()

    async def _handle(self, ctx: Context, status: str) -> None:
        state = await ctx.session.get(AdapterState, (CHANNEL, STATE_KEY))
        value = dict(state.value) if state is not None else {"lapse": 0, "open": False}
        if status == WORKING:
            value["open"] = False
        elif status in texts.WHATSAPP_SESSION_MEANINGS and not value.get("open"):
            value = {"lapse": int(value.get("lapse", 0)) + 1, "open": True}
            await self._alert(ctx, status, value["lapse"])
        else:
            return
        if state is None:
            ctx.session.add(AdapterState(channel=CHANNEL, key=STATE_KEY, value=value))
        else:
            state.value = value

    async def _alert(self, ctx: Context, status: str, lapse: int) -> None:
        admins = self._app.directory.officials_for(roles=["administrador"])
        # Not through WhatsApp: that message would wait for the session that is broken.
        reachable = [o.model_copy(update={"whatsapp": None}) for o in admins]
        text = texts.WHATSAPP_SESSION_ALERT.format(
            status=status, meaning=texts.WHATSAPP_SESSION_MEANINGS[status]
        )
        told = await notify_officials(
            self._app,
            ctx.session,
            reachable,
            text,
            key=f"whatsapp-session-alert:{lapse}",
            purpose="whatsapp_session_alert",
            email_subject=texts.WHATSAPP_SESSION_ALERT_SUBJECT,
            cause_event_id=ctx.event_id,
        )
        await ctx.audit(
            "whatsapp_session_alert",
            actor_kind="system",
            detail={"status": status, "lapse": lapse, "told": told},
        )
        log = logger.warning if told else logger.error
        log(
            "WhatsApp session needs attention (%s); administrators told: %s",
            status,
            ", ".join(told) or "nobody (configure an official with role administrador)",
        )

"""The Telegram adapter: Bot API updates in (webhook or polling), cassbot's actions out.

PTB is used as a transport only (ExtBot for calls, `Update.de_json` for parsing): no PTB
Application, JobQueue or persistence runs here; state lives in cassbot's database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from telegram import ChatMember
from telegram.error import InvalidToken, TelegramError
from telegram.ext import ExtBot

from adapters.telegram.client import build_bot
from adapters.telegram.execute import ActionRunner
from adapters.telegram.normalise import Normalised, bot_id_from_token, normalise_update
from adapters.telegram.polling import Poller
from adapters.telegram.refs import CHANNEL, user_ref
from adapters.telegram.sendlog import SendLog
from adapters.telegram.webhook import WebhookEndpoint
from cassbot.actions import Action, ActionResult
from cassbot.adapter import Adapter, AdapterHealth, Capability, EventSink, MemberInfo
from cassbot.clock import Clock
from cassbot.events import ChatRef, UserRef
from cassbot.settings import TelegramAdapterSettings
from cassbot.storage.db import Database

logger = logging.getLogger(__name__)

BotStatusListener = Callable[[str], Awaitable[None]]


class TelegramStartupError(RuntimeError):
    """Telegram refuses to work with this configuration (e.g. a revoked token)."""


class TelegramAdapter(Adapter):
    name = CHANNEL
    capabilities = frozenset(
        {
            Capability.SEND,
            Capability.PRIVATE_MESSAGES,  # only to people who started the bot
            Capability.DELETE_MESSAGE,
            Capability.REMOVE_MEMBER,
            Capability.BAN_MEMBER,
            Capability.UNBAN_MEMBER,
            Capability.SET_ADMIN,
            Capability.RESTRICT_MEMBER,
            Capability.INVITE_LINK,
            Capability.APPROVE_JOIN,
            Capability.LIST_ADMINS,
        }
    )

    def __init__(
        self,
        settings: TelegramAdapterSettings,
        db: Database,
        clock: Clock,
        *,
        bot: ExtBot[None] | None = None,
    ) -> None:
        if settings.token is None:
            raise ValueError("Telegram is enabled but its token is not set")
        self.settings = settings
        self.bot_id = bot_id_from_token(settings.token.get_secret_value())
        self.bot = bot or build_bot(settings, clock)
        self.bot_username: str | None = None  # from getMe; `/cmd@username` is for us
        self._clock = clock
        self._sends = SendLog(db, clock)
        self._runner = ActionRunner(self.bot, self._sends, clock)
        self._sink: EventSink | None = None
        self._polling = settings.mode == "polling"
        self._poller = Poller(
            self.bot,
            db,
            clock,
            self.ingest,
            bot_id=self.bot_id,
            timeout_s=settings.polling_timeout_s,
            request_timeout_s=settings.request_timeout_s,
        )
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        if secret is not None and len(secret) < 16:
            logger.warning(
                "the Telegram webhook secret is short and easy to guess; "
                "use a long random one (openssl rand -hex 32)"
            )
        self._webhook = WebhookEndpoint(secret, self.ingest, polling=self._polling)
        self._bot_status_listeners: list[BotStatusListener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connected = False
        self._problem: str | None = "not started"
        self.stopped = False

    # Lifecycle ----------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        self._sink = sink
        await self._connect(first=True)
        if not self._connected:
            self._spawn(self._keep_connecting(), "telegram-connect")
        if self._polling:
            self._poller.start()

    async def prepare_shutdown(self) -> None:
        await self._poller.stop()  # no new updates while the bot drains what it has

    async def stop(self) -> None:
        self.stopped = True
        await self._poller.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        with contextlib.suppress(TelegramError):
            await self.bot.shutdown()

    async def _connect(self, *, first: bool = False) -> None:
        """getMe: learn the bot's username (for `/cmd@username`) and check the token."""
        try:
            await self.bot.initialize()
        except InvalidToken as exc:
            raise TelegramStartupError(
                "Telegram rejected the bot token: check adapters.telegram.token "
                "(CASSBOT__ADAPTERS__TELEGRAM__TOKEN) against @BotFather"
            ) from exc
        except TelegramError as exc:
            self._problem = f"Telegram unreachable: {exc.message}"
            log = logger.warning if first else logger.info
            log("Telegram is not reachable yet; retrying", extra={"error": exc.message})
            return
        self.bot_username = self.bot.username
        self._connected = True
        self._problem = None
        logger.info(
            "Telegram bot connected",
            extra={"bot": self.bot_username, "bot_id": self.bot_id, "mode": self.settings.mode},
        )
        if not self.bot.bot.can_read_all_group_messages:
            logger.warning(
                "the bot's privacy mode is on: it sees only commands and replies in groups; "
                "turn it off with @BotFather (/setprivacy → Disable)"
            )

    async def _keep_connecting(self) -> None:
        delay = 2.0
        while not self._connected:
            await asyncio.sleep(delay)
            try:
                await self._connect()
            except TelegramStartupError as exc:
                self._problem = str(exc)
                logger.error(str(exc))
                return
            delay = min(60.0, delay * 2)

    def health(self) -> AdapterHealth:
        problem = self._problem or (self._poller.problem if self._polling else None)
        if problem:
            return AdapterHealth(ready=False, status="degraded", detail=problem)
        return AdapterHealth(ready=True, detail=f"@{self.bot_username} ({self.settings.mode})")

    # Inbound ------------------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        return [self._webhook.route()]

    def on_bot_status_change(self, listener: BotStatusListener) -> None:
        """Call `listener(chat_id)` when the bot's own rights in a group change."""
        self._bot_status_listeners.append(listener)

    async def ingest(self, payload: dict[str, Any]) -> tuple[Normalised, int]:
        """Normalise one raw update and store its events; returns them and how many were new."""
        normalised = normalise_update(payload, bot_id=self.bot_id)
        if not normalised.events:
            log = logger.warning if normalised.needs_attention else logger.info
            log(
                "Telegram update acknowledged without events",
                extra={
                    "update_id": normalised.update_id,
                    "kind": normalised.kind,
                    "reason": normalised.note,
                },
            )
            return normalised, 0
        assert self._sink is not None, "adapter not started"
        fresh = await self._sink.submit_many(normalised.events)
        if fresh and normalised.about_bot_status:
            chat_id = normalised.events[0].chat.chat_id
            for listener in self._bot_status_listeners:
                self._spawn(listener(chat_id), f"telegram-bot-status-{chat_id}")
        return normalised, fresh

    def _spawn(self, work: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Outbound -----------------------------------------------------------------------------------

    async def execute(self, action: Action) -> ActionResult:
        if self.stopped:
            return ActionResult(status="transient_error", detail="the Telegram adapter stopped")
        return await self._runner.run(action)

    def private_chat(self, user: UserRef) -> ChatRef:
        # A person's private chat id is their user id; it works once they started the bot.
        return ChatRef(channel=CHANNEL, chat_id=user.user_id, private=True)

    async def administrators(self, chat: ChatRef) -> tuple[ChatMember, ...]:
        """The group's admins as Telegram describes them (with the rights of each)."""
        return await self.bot.get_chat_administrators(int(chat.chat_id))

    async def list_admins(self, chat: ChatRef) -> list[MemberInfo]:
        return [
            MemberInfo(
                user=user_ref(member.user, self.bot_id),
                admin=True,
                superadmin=member.status == ChatMember.OWNER,
            )
            for member in await self.administrators(chat)
        ]

    async def prune_send_log(self, older_than: datetime) -> int:
        return await self._sends.prune(older_than)

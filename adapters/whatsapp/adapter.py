"""The WhatsApp adapter: WAHA calls for cassbot's actions, WAHA webhooks into cassbot's events.

It only translates. Platform failures become typed results: while the session is not WORKING
or the gateway does not answer, actions are handed back to the outbox to wait (`rate_limited`
with a delay, so an outage does not use up their attempts); without admin rights in a group,
admin-only actions are `forbidden` (and the composition root tells the officials once).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from adapters.whatsapp.client import (
    WahaBadRequest,
    WahaClient,
    WahaError,
    WahaForbidden,
    WahaNotFound,
    WahaRateLimited,
    WahaServerError,
    WahaSessionNotReady,
    WahaUnauthorized,
    WahaUnreachable,
)
from adapters.whatsapp.ids import MessageId, clean_user_id, is_group, is_lid, phone_of
from adapters.whatsapp.normalise import ADMIN_ROLES, CHANNEL, Identities
from adapters.whatsapp.pacing import PaceLimits, Pacer
from cassbot.actions import (
    Action,
    ActionResult,
    AddMember,
    CreateInviteLink,
    DeleteMessage,
    RemoveMember,
    SendMessage,
    SetAdmin,
)
from cassbot.adapter import Adapter, AdapterHealth, Capability, EventSink, MemberInfo
from cassbot.events import (
    Attachment,
    ChannelStatus,
    ChatRef,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    RoleChanged,
    UserRef,
)
from cassbot.settings import WhatsAppAdapterSettings

logger = logging.getLogger(__name__)

WORKING = "WORKING"
# Our own states beside WAHA's (STOPPED, STARTING, SCAN_QR_CODE, PASSKEY_…, WORKING, FAILED).
UNKNOWN, UNREACHABLE, UNAUTHORIZED, NO_SESSION = (
    "UNKNOWN",
    "UNREACHABLE",
    "UNAUTHORIZED",
    "NO_SESSION",
)
NOT_ADMIN_DETAIL = "the bot is not an admin of this group"
INVITE_PREFIX = "https://chat.whatsapp.com/"
_LID_RETRY_S = 3600.0
_STATUS_RECHECK_S = 5.0


class WhatsAppAdapter(Adapter):
    name = CHANNEL
    # No native ban: a ban is a removal plus the community ban list, which the membership
    # stage enforces when the person comes back. No mute either.
    capabilities = frozenset(
        {
            Capability.SEND,
            Capability.PRIVATE_MESSAGES,
            Capability.DELETE_MESSAGE,
            Capability.REMOVE_MEMBER,
            Capability.ADD_MEMBER,
            Capability.SET_ADMIN,
            Capability.INVITE_LINK,
            Capability.LIST_MEMBERS,
            Capability.LIST_ADMINS,
        }
    )

    def __init__(
        self,
        settings: WhatsAppAdapterSettings,
        *,
        max_wait_s: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        assert settings.api_key is not None, "validated by the settings"
        self.settings = settings
        self.client = WahaClient(
            settings.base_url,
            settings.api_key.get_secret_value(),
            settings.session,
            timeout_s=settings.request_timeout_s,
        )
        wait = settings.max_pacing_wait_s if max_wait_s is None else max_wait_s
        self.send_pacer = Pacer(
            PaceLimits(
                settings.send_chat_interval_s,
                settings.send_per_minute,
                settings.send_burst,
                settings.jitter_s,
                wait,
            )
        )
        self.moderation_pacer = Pacer(
            PaceLimits(
                settings.moderation_chat_interval_s,
                settings.moderation_per_minute,
                burst=3,
                jitter_s=min(settings.jitter_s, 0.5),
                max_wait_s=wait,
            )
        )
        self._monotonic = monotonic
        self._sink: EventSink | None = None
        self._status = UNKNOWN
        self._status_detail = "not checked yet"
        self._status_checked = float("-inf")
        self._me_ids: frozenset[str] = frozenset()
        self._me_phone: str | None = None
        self._admin: dict[str, tuple[bool, float]] = {}
        self._lid_phones: dict[str, str] = {}
        self._lid_tried: dict[str, float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._monitor: asyncio.Task[None] | None = None

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        self._sink = sink
        await self.client.open()
        await self.refresh_status(report=False)
        logger.info(
            "WhatsApp session %s is %s",
            self.settings.session,
            self._status,
            extra={"detail": self._status_detail, "gateway": str(self.client.base_url)},
        )
        self._monitor = asyncio.create_task(self._watch_status(), name="whatsapp-status")

    async def stop(self) -> None:
        for task in [self._monitor, *self._tasks]:
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *(t for t in [self._monitor, *self._tasks] if t is not None), return_exceptions=True
        )
        self._monitor = None
        self._tasks.clear()
        await self.client.close()

    def routes(self) -> list[web.RouteDef]:
        from adapters.whatsapp.webhook import WebhookHandler

        assert self.settings.webhook_hmac_key is not None
        handler = WebhookHandler(self, self.settings.webhook_hmac_key.get_secret_value())
        return [web.post("/webhooks/whatsapp", handler.handle)]

    # Session state ----------------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self._status

    @property
    def me_ids(self) -> frozenset[str]:
        return self._me_ids

    @property
    def bot_phone(self) -> str | None:
        return self._me_phone

    def health(self) -> AdapterHealth:
        return AdapterHealth(
            ready=self._status == WORKING, status=self._status.lower(), detail=self._status_detail
        )

    def _set_status(self, status: str, detail: str) -> bool:
        changed = status != self._status
        if changed:
            log = logger.info if status == WORKING else logger.warning
            log(
                "WhatsApp session %s: %s -> %s",
                self.settings.session,
                self._status,
                status,
                extra={"detail": detail},
            )
        self._status, self._status_detail = status, detail
        self._status_checked = self._monotonic()
        return changed

    def _note_status(self, status: str, detail: str) -> None:
        """A state learnt from a failed call: record the change as an event, in the background."""
        if self._set_status(status, detail) and self._sink is not None:
            task = asyncio.create_task(self._report_status())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def refresh_status(self, *, report: bool = True) -> str:
        """Ask WAHA for the session's state (and who the bot is); returns the state."""
        try:
            info = await self.client.get_session()
            status = str(info.get("status") or UNKNOWN)
            changed = self._set_status(status, f"WAHA session {self.settings.session} is {status}")
            me = info.get("me")
            if not isinstance(me, Mapping) and status == WORKING:
                me = await self.client.get_me()
            if isinstance(me, Mapping):
                self._remember_me(me)
        except WahaUnreachable as exc:
            changed = self._set_status(UNREACHABLE, f"WAHA does not answer: {exc}")
        except WahaUnauthorized:
            changed = self._set_status(
                UNAUTHORIZED, "WAHA rejected the API key (adapters.whatsapp.api_key)"
            )
        except WahaNotFound:
            changed = self._set_status(
                NO_SESSION, f"WAHA has no session named {self.settings.session!r}"
            )
        except WahaError as exc:
            changed = self._set_status(UNKNOWN, f"WAHA status check failed: {exc}")
        if changed and report and self._sink is not None:
            await self._report_status()
        return self._status

    def _remember_me(self, me: Mapping[str, Any]) -> None:
        ids = {clean_user_id(v) for k in ("id", "lid", "jid") if isinstance(v := me.get(k), str)}
        if ids:
            self._me_ids = frozenset(ids)
            self._me_phone = phone_of(me.get("id") if isinstance(me.get("id"), str) else None)

    async def _report_status(self) -> None:
        assert self._sink is not None
        now = time.time()
        await self._sink.submit(
            ChannelStatus(
                dedupe_key=f"{CHANNEL}:{self.settings.session}:poll:{self._status}:{now:.3f}",
                chat=ChatRef(
                    channel=CHANNEL, chat_id=f"session:{self.settings.session}", private=True
                ),
                occurred_at=datetime.fromtimestamp(now, tz=UTC),
                status=self._status,
                detail=self._status_detail,
            )
        )

    async def _watch_status(self) -> None:
        while True:
            await asyncio.sleep(self.settings.status_poll_s)
            try:
                await self.refresh_status()
            except Exception:  # the watcher must outlive any surprise
                logger.exception("WhatsApp status check failed")

    # Webhook side -------------------------------------------------------------------------------

    def identities(self) -> Identities:
        return Identities(me_ids=self._me_ids, phones=self._lid_phones)

    async def accept(self, events: Sequence[Event], me_ids: Iterable[str] = ()) -> int:
        """Learn what the events tell about the session, the bot and `@lid` phones; store them."""
        if not self._me_ids and me_ids:
            self._me_ids = frozenset(me_ids)
        now = self._monotonic()
        fresh: list[Event] = []
        for event in events:
            known = isinstance(event, ChannelStatus) and event.status == self._status
            if isinstance(event, ChannelStatus):
                self._set_status(event.status, event.detail)
            if known:
                continue  # already known, and recorded, from a status check
            fresh.append(event)
            if isinstance(event, RoleChanged) and event.member.is_bot:
                self._admin[event.chat.chat_id] = (event.admin, now)
            elif isinstance(event, MemberLeft) and event.member.is_bot:
                self._admin[event.chat.chat_id] = (False, now)
            if isinstance(event, MemberJoined | MemberLeft | RoleChanged):
                self._learn_phone(event.member)
            elif isinstance(event, MessagePosted) and event.actor is not None:
                self._learn_phone(event.actor)
        assert self._sink is not None, "adapter not started"
        return await self._sink.submit_many(fresh)

    def _learn_phone(self, user: UserRef) -> None:
        if not is_lid(user.user_id):
            return
        if user.phone:
            self._lid_phones[user.user_id] = user.phone
        elif user.user_id not in self._lid_tried:
            # Look it up in the background so the webhook answers at once; the next event of
            # this person (and officials' exemption) will have the number.
            self._lid_tried[user.user_id] = self._monotonic()
            task = asyncio.create_task(self.resolve_phone(user.user_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def resolve_phone(self, user_id: str) -> str | None:
        """E.164 phone of a WhatsApp id, asking WAHA's lid table for `@lid` ids."""
        if not is_lid(user_id):
            return phone_of(user_id)
        if user_id in self._lid_phones:
            return self._lid_phones[user_id]
        try:
            pn = await self.client.phone_for_lid(user_id)
        except WahaError as exc:
            logger.info(
                "could not map a lid to a phone", extra={"lid": user_id, "error": str(exc)}
            )
            return None
        self._lid_tried[user_id] = self._monotonic()
        phone = phone_of(pn)
        if phone:
            self._lid_phones[user_id] = phone
        return phone

    async def download_media(self, attachment: Attachment) -> bytes | None:
        """The bytes of a message's media; None when gone (WAHA keeps files ~3 minutes)."""
        if not attachment.url:
            return None
        try:
            return await self.client.download(attachment.url)
        except WahaNotFound:
            return None

    # Members ------------------------------------------------------------------------------------

    def private_chat(self, user: UserRef) -> ChatRef:
        return ChatRef(channel=CHANNEL, chat_id=clean_user_id(user.user_id), private=True)

    async def list_members(self, chat: ChatRef) -> list[MemberInfo]:
        rows = await self.client.participants(chat.chat_id)
        members: list[MemberInfo] = []
        bot_admin = False
        for row in rows:
            role = row.get("role")
            user_id = clean_user_id(str(row.get("id") or ""))
            if not user_id or role == "left":
                continue
            phone = phone_of(row.get("pn")) or phone_of(user_id)
            if phone is None and is_lid(user_id):
                tried = self._lid_tried.get(user_id)
                if tried is None or self._monotonic() - tried > _LID_RETRY_S:
                    phone = await self.resolve_phone(user_id)
                else:
                    phone = self._lid_phones.get(user_id)
            elif phone is not None and is_lid(user_id):
                self._lid_phones[user_id] = phone
            is_bot = user_id in self._me_ids
            admin = role in ADMIN_ROLES
            bot_admin = bot_admin or (is_bot and admin)
            members.append(
                MemberInfo(
                    user=UserRef(channel=CHANNEL, user_id=user_id, phone=phone, is_bot=is_bot),
                    admin=admin,
                    superadmin=role == "superadmin",
                )
            )
        if self._me_ids:
            self._admin[chat.chat_id] = (bot_admin, self._monotonic())
        return members

    async def bot_is_admin(self, chat_id: str, *, fresh: bool = False) -> bool | None:
        """Whether the bot may moderate `chat_id` (None: cannot tell right now)."""
        cached = self._admin.get(chat_id)
        if cached and not fresh and self._monotonic() - cached[1] <= self.settings.admin_cache_s:
            return cached[0]
        try:
            await self.list_members(ChatRef(channel=CHANNEL, chat_id=chat_id))
        except WahaError as exc:
            logger.info(
                "could not read a group's admins", extra={"chat": chat_id, "error": str(exc)}
            )
            return cached[0] if cached else None
        found = self._admin.get(chat_id)
        return found[0] if found else None

    # Actions ------------------------------------------------------------------------------------

    async def execute(self, action: Action) -> ActionResult:
        if self._status != WORKING:
            if self._monotonic() - self._status_checked > _STATUS_RECHECK_S:
                await self.refresh_status()
            if self._status not in (WORKING, UNAUTHORIZED):
                return self._wait(self._status_detail)
        try:
            return await self._perform(action)
        except WahaError as exc:
            return await self._result_for(exc, action)

    def _wait(self, detail: str, retry_after: float | None = None) -> ActionResult:
        return ActionResult(
            status="rate_limited",
            retry_after=retry_after if retry_after is not None else self.settings.wait_retry_s,
            detail=f"waiting: {detail}",
        )

    async def _perform(self, action: Action) -> ActionResult:
        if isinstance(action, SendMessage):
            return await self._send(action)
        if isinstance(action, DeleteMessage):
            return await self._delete(action)
        if isinstance(action, RemoveMember | AddMember | SetAdmin):
            return await self._change_member(action)
        if isinstance(action, CreateInviteLink):
            return await self._invite_link(action)
        return ActionResult(status="unsupported", detail=f"WhatsApp cannot {action.kind}")

    async def _send(self, action: SendMessage) -> ActionResult:
        chat_id = (
            action.chat.chat_id
            if is_group(action.chat.chat_id)
            else clean_user_id(action.chat.chat_id)
        )
        later = await self.send_pacer.turn(chat_id)
        if later is not None:
            return self._wait("pacing outbound messages", retry_after=later)
        sent = await self.client.send_text(
            chat_id,
            action.text,
            reply_to=action.reply_to.message_id if action.reply_to else None,
            mentions=[clean_user_id(m.user_id) for m in action.mentions],
        )
        message_id = sent.get("id")
        return ActionResult.success(
            platform_ref=message_id if isinstance(message_id, str) else None
        )

    async def _needs_admin(self, chat_id: str) -> ActionResult | None:
        if not is_group(chat_id):
            return None
        if await self.bot_is_admin(chat_id) is False:
            return ActionResult(status="forbidden", detail=NOT_ADMIN_DETAIL)
        return None

    async def _delete(self, action: DeleteMessage) -> ActionResult:
        chat_id = action.message.chat.chat_id
        parsed = MessageId.parse(action.message.message_id)
        if parsed is None:
            return ActionResult(
                status="permanent_error",
                detail=f"not a WAHA message id: {action.message.message_id!r}",
            )
        if not parsed.from_me and (refused := await self._needs_admin(chat_id)):
            return refused
        later = await self.moderation_pacer.turn(chat_id)
        if later is not None:
            return self._wait("pacing moderation calls", retry_after=later)
        await self.client.delete_message(chat_id, action.message.message_id)
        return ActionResult.success()

    async def _change_member(self, action: RemoveMember | AddMember | SetAdmin) -> ActionResult:
        chat_id = action.chat.chat_id
        if refused := await self._needs_admin(chat_id):
            return refused
        later = await self.moderation_pacer.turn(chat_id)
        if later is not None:
            return self._wait("pacing moderation calls", retry_after=later)
        if isinstance(action, RemoveMember):
            operation = "participants/remove"
        elif isinstance(action, AddMember):
            operation = "participants/add"
        else:
            operation = "admin/promote" if action.admin else "admin/demote"
        user_id = clean_user_id(action.user.user_id)
        result = await self.client.change_participants(chat_id, operation, [user_id])
        failures = participant_failures(result)
        if not failures:
            return ActionResult.success()
        if isinstance(action, AddMember):
            return ActionResult(
                status="forbidden",
                detail=f"WhatsApp refused to add {user_id} ({failures[0]}); "
                "their privacy settings may only allow invite links",
            )
        if isinstance(action, RemoveMember) and failures[0] == "404":
            return ActionResult(status="not_found", detail=f"{user_id} is not in the group")
        return ActionResult(
            status="permanent_error", detail=f"WhatsApp refused {operation} ({failures[0]})"
        )

    async def _invite_link(self, action: CreateInviteLink) -> ActionResult:
        chat_id = action.chat.chat_id
        if refused := await self._needs_admin(chat_id):
            return refused
        code = (await self.client.invite_code(chat_id)).strip()
        link = code if code.startswith("http") else INVITE_PREFIX + code
        return ActionResult.success(platform_ref=link)

    async def _result_for(self, exc: WahaError, action: Action) -> ActionResult:
        detail = str(exc)[:1000]
        if isinstance(exc, WahaUnreachable):
            self._note_status(UNREACHABLE, f"WAHA does not answer: {exc}")
            return self._wait(detail)
        if isinstance(exc, WahaSessionNotReady):
            self._note_status(exc.session_status or UNKNOWN, detail)
            return self._wait(detail)
        if isinstance(exc, WahaRateLimited):
            return ActionResult(
                status="rate_limited",
                retry_after=exc.retry_after or self.settings.wait_retry_s,
                detail=detail,
            )
        if isinstance(exc, WahaUnauthorized):
            self._note_status(
                UNAUTHORIZED, "WAHA rejected the API key (adapters.whatsapp.api_key)"
            )
            return ActionResult(status="permanent_error", detail=detail)
        if isinstance(exc, WahaForbidden):
            return ActionResult(status="forbidden", detail=detail)
        if isinstance(exc, WahaNotFound):
            if exc.session_missing:
                self._note_status(NO_SESSION, detail)
                return self._wait(detail)
            return ActionResult(status="not_found", detail=detail)
        if isinstance(exc, WahaServerError):
            # Engines report "not an admin" as a 500: look again before calling it transient.
            chat_id = action.target.chat_id
            needs_admin = not isinstance(action, SendMessage) and is_group(chat_id)
            if needs_admin and await self.bot_is_admin(chat_id, fresh=True) is False:
                return ActionResult(status="forbidden", detail=NOT_ADMIN_DETAIL)
            return ActionResult(status="transient_error", detail=detail)
        if isinstance(exc, WahaBadRequest):
            return ActionResult(status="permanent_error", detail=detail)
        return ActionResult(status="transient_error", detail=detail)


def participant_failures(result: Any) -> list[str]:
    """Per-person failure codes in a participants/* answer (engines shape it differently)."""
    items: list[Any]
    if isinstance(result, list):
        items = result
    elif isinstance(result, Mapping):
        nested = result.get("participants")
        items = (
            nested
            if isinstance(nested, list)
            else [v if isinstance(v, Mapping) else {"status": v} for v in result.values()]
        )
    else:
        return []
    failures: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        code = item.get("status", item.get("code"))
        try:
            numeric = int(str(code)) if code is not None else None
        except ValueError:
            numeric = None
        if numeric is not None and numeric >= 400:
            failures.append(str(numeric))
        elif item.get("error"):
            failures.append(str(item["error"])[:100])
    return failures

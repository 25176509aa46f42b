"""The WhatsApp adapter: WAHA calls for cassbot's actions, WAHA webhooks into cassbot's events.

It only translates. Platform failures become typed results: while the session is not WORKING
or the gateway does not answer, actions are handed back to the outbox to wait (`rate_limited`
with a delay, so an outage does not use up their attempts); without admin rights in a group,
admin-only actions are `forbidden` (and the composition root tells the officials once).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from adapters.whatsapp.ids import MessageId, clean_user_id, is_group
from adapters.whatsapp.normalise import CHANNEL, Identities
from adapters.whatsapp.pacing import PaceLimits, Pacer
from adapters.whatsapp.roster import Roster
from adapters.whatsapp.session import (
    NO_SESSION,
    UNAUTHORIZED,
    UNKNOWN,
    UNREACHABLE,
    WORKING,
    SessionWatch,
    TaskSet,
)
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

NOT_ADMIN_DETAIL = "the bot is not an admin of this group"
INVITE_PREFIX = "https://chat.whatsapp.com/"
_STATUS_RECHECK_S = 5.0  # a state older than this is checked again before waiting


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
        self._tasks = TaskSet()
        self.session = SessionWatch(
            self.client, poll_s=settings.status_poll_s, tasks=self._tasks, monotonic=monotonic
        )
        self.roster = Roster(
            self.client,
            self.session,
            admin_cache_s=settings.admin_cache_s,
            tasks=self._tasks,
            monotonic=monotonic,
        )
        self._sink: EventSink | None = None

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        self._sink = sink
        self.session.sink = sink
        await self.client.open()
        if await self.session.refresh(report=False) != WORKING:
            await self.session.report()  # recorded, and the administrators are told
        logger.info(
            "WhatsApp session %s is %s",
            self.settings.session,
            self.session.status,
            extra={"detail": self.session.detail, "gateway": str(self.client.base_url)},
        )
        self._tasks.spawn(self.session.watch(), name="whatsapp-status")

    async def stop(self) -> None:
        await self._tasks.cancel_all()
        await self.client.close()

    def routes(self) -> list[web.RouteDef]:
        from adapters.whatsapp.webhook import WebhookHandler

        assert self.settings.webhook_hmac_key is not None
        handler = WebhookHandler(self, self.settings.webhook_hmac_key.get_secret_value())
        return [web.post("/webhooks/whatsapp", handler.handle)]

    # Session ----------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self.session.status

    @property
    def me_ids(self) -> frozenset[str]:
        return self.session.me_ids

    @property
    def bot_phone(self) -> str | None:
        return self.session.me_phone

    def health(self) -> AdapterHealth:
        status = self.session.status
        return AdapterHealth(
            ready=status == WORKING, status=status.lower(), detail=self.session.detail
        )

    async def refresh_status(self) -> str:
        return await self.session.refresh()

    # Webhook side -------------------------------------------------------------------------------

    def identities(self) -> Identities:
        return Identities(me_ids=self.session.me_ids, phones=self.roster.phones)

    async def accept(self, events: Sequence[Event], me_ids: Iterable[str] = ()) -> int:
        """Learn what the events tell about the session, the bot and `@lid` phones; store them."""
        if not self.session.me_ids and me_ids:
            self.session.me_ids = frozenset(me_ids)
        fresh: list[Event] = []
        for event in events:
            known = isinstance(event, ChannelStatus) and event.status == self.session.status
            if isinstance(event, ChannelStatus):
                self.session.set(event.status, event.detail)
            if known:
                continue  # already known, and recorded, from a status check
            fresh.append(event)
            if isinstance(event, RoleChanged) and event.member.is_bot:
                self.roster.note_bot_admin(event.chat.chat_id, event.admin)
            elif isinstance(event, MemberLeft) and event.member.is_bot:
                self.roster.note_bot_admin(event.chat.chat_id, False)
            if isinstance(event, MemberJoined | MemberLeft | RoleChanged):
                self.roster.learn_phone(event.member)
            elif isinstance(event, MessagePosted) and event.actor is not None:
                self.roster.learn_phone(event.actor)
        assert self._sink is not None, "adapter not started"
        return await self._sink.submit_many(fresh)

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
        return await self.roster.members(chat)

    async def bot_is_admin(self, chat_id: str, *, fresh: bool = False) -> bool | None:
        return await self.roster.bot_is_admin(chat_id, fresh=fresh)

    async def resolve_phone(self, user_id: str) -> str | None:
        return await self.roster.resolve_phone(user_id)

    # Actions ------------------------------------------------------------------------------------

    async def execute(self, action: Action) -> ActionResult:
        if self.session.status != WORKING:
            if self.session.seconds_since_check() > _STATUS_RECHECK_S:
                await self.session.refresh()
            if self.session.status not in (WORKING, UNAUTHORIZED):
                return self._wait(self.session.detail)
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
            self.session.note(UNREACHABLE, f"WAHA does not answer: {exc}")
            return self._wait(detail)
        if isinstance(exc, WahaSessionNotReady):
            self.session.note(exc.session_status or UNKNOWN, detail)
            return self._wait(detail)
        if isinstance(exc, WahaRateLimited):
            return ActionResult(
                status="rate_limited",
                retry_after=exc.retry_after or self.settings.wait_retry_s,
                detail=detail,
            )
        if isinstance(exc, WahaUnauthorized):
            self.session.note(
                UNAUTHORIZED, "WAHA rejected the API key (adapters.whatsapp.api_key)"
            )
            return ActionResult(status="permanent_error", detail=detail)
        if isinstance(exc, WahaForbidden):
            return ActionResult(status="forbidden", detail=detail)
        if isinstance(exc, WahaNotFound):
            if exc.session_missing:
                self.session.note(NO_SESSION, detail)
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

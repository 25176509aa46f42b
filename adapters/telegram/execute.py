"""Carrying out cassbot's actions through the Bot API, each answered with a typed result."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import ChatPermissions, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from adapters.telegram.errors import result_for
from adapters.telegram.format import split_text, to_html
from adapters.telegram.sendlog import SendLog
from cassbot.actions import (
    Action,
    ActionResult,
    AddMember,
    ApproveJoin,
    BanMember,
    CreateInviteLink,
    DeleteMessage,
    RemoveMember,
    RestrictMember,
    SendMessage,
    SetAdmin,
    UnbanMember,
)
from cassbot.clock import Clock
from cassbot.events import ChatRef, MessageRef, UserRef

logger = logging.getLogger(__name__)

# Telegram treats a restriction ending within 30 s as "forever".
_MIN_RESTRICTION = timedelta(seconds=31)


class ActionRunner:
    def __init__(self, bot: ExtBot[None], sends: SendLog, clock: Clock) -> None:
        self._bot = bot
        self._sends = sends
        self._clock = clock

    async def run(self, action: Action) -> ActionResult:
        try:
            return await self._dispatch(action)
        except TelegramError as exc:
            return result_for(exc)
        except ValueError as exc:  # an id that is not Telegram's (from another channel?)
            return ActionResult(status="permanent_error", detail=f"not a Telegram id: {exc}")

    async def _dispatch(self, action: Action) -> ActionResult:
        if isinstance(action, SendMessage):
            return await self._send(action)
        if isinstance(action, DeleteMessage):
            message = action.message
            await self._bot.delete_message(_chat_id(message.chat), _message_id(message))
            return ActionResult.success()
        if isinstance(action, RemoveMember):
            return await self._remove(action.chat, action.user)
        if isinstance(action, BanMember):
            await self._bot.ban_chat_member(_chat_id(action.chat), _user_id(action.user))
            return ActionResult.success()
        if isinstance(action, UnbanMember):
            await self._bot.unban_chat_member(
                _chat_id(action.chat), _user_id(action.user), only_if_banned=True
            )
            return ActionResult.success()
        if isinstance(action, SetAdmin):
            on = action.admin  # a demotion is a promotion with every right off
            await self._bot.promote_chat_member(
                _chat_id(action.chat),
                _user_id(action.user),
                can_manage_chat=on,
                can_delete_messages=on,
                can_restrict_members=on,
                can_invite_users=on,
                can_pin_messages=on,
            )
            return ActionResult.success()
        if isinstance(action, RestrictMember):
            return await self._restrict(action)
        if isinstance(action, CreateInviteLink):
            return await self._invite_link(action)
        if isinstance(action, ApproveJoin):
            return await self._approve(action)
        if isinstance(action, AddMember):
            return ActionResult(
                status="unsupported",
                detail="Telegram bots cannot add people; send them a one-time invite link",
            )
        return ActionResult(status="unsupported", detail=f"telegram cannot {action.kind}")

    # Messages -----------------------------------------------------------------------------------

    async def _send(self, action: SendMessage) -> ActionResult:
        key = action.idempotency_key
        prior = await self._sends.begin(key)
        if prior.state == "sent":
            logger.warning(
                "repeated send suppressed: Telegram already has this message",
                extra={"idempotency_key": key, "chat": action.chat.key},
            )
            return ActionResult.success(prior.message_id, detail="already sent")
        if prior.state == "sending":
            logger.warning(
                "an earlier attempt of this send did not finish; it may arrive twice",
                extra={"idempotency_key": key, "chat": action.chat.key},
            )
        first_id: str | None = None
        for index, piece in enumerate(split_text(action.text)):
            reply = action.reply_to if index == 0 else None
            message_id = await self._send_piece(action.chat, piece, reply, action.mentions)
            first_id = first_id or message_id
        assert first_id is not None
        await self._sends.done(key, first_id)
        return ActionResult.success(first_id)

    async def _send_piece(
        self,
        chat: ChatRef,
        text: str,
        reply_to: MessageRef | None,
        mentions: tuple[UserRef, ...],
    ) -> str:
        options: dict[str, Any] = {
            "chat_id": _chat_id(chat),
            "link_preview_options": LinkPreviewOptions(is_disabled=True),
        }
        if reply_to is not None and reply_to.chat == chat and reply_to.message_id.isdigit():
            # The message answered may be gone (deleted for breaking the rules): send anyway.
            options["reply_parameters"] = ReplyParameters(
                message_id=int(reply_to.message_id), allow_sending_without_reply=True
            )
        try:
            sent = await self._bot.send_message(
                text=to_html(text, mentions), parse_mode=ParseMode.HTML, **options
            )
        except BadRequest as exc:
            if "can't parse entities" not in exc.message.lower():
                raise
            logger.warning("Telegram refused the formatting; sending plain text", exc_info=exc)
            sent = await self._bot.send_message(text=text, **options)
        return str(sent.message_id)

    # Members ------------------------------------------------------------------------------------

    async def _remove(self, chat: ChatRef, user: UserRef) -> ActionResult:
        """Out of the group, free to come back when readmitted: a ban lifted at once."""
        chat_id, user_id = _chat_id(chat), _user_id(user)
        await self._bot.ban_chat_member(chat_id, user_id)
        try:
            await self._bot.unban_chat_member(chat_id, user_id, only_if_banned=True)
        except TelegramError as exc:
            result = result_for(exc)
            if result.retryable:
                return result  # the retry bans (no change) and unbans again
            return ActionResult(
                status="permanent_error",
                detail=(
                    f"removed, but the ban could not be lifted ({result.detail}); "
                    "unban them in the group settings so they can come back"
                ),
            )
        return ActionResult.success()

    async def _restrict(self, action: RestrictMember) -> ActionResult:
        until = action.until
        if until is not None and until - self._clock.now() < _MIN_RESTRICTION:
            return ActionResult.success(detail="restriction already over; nothing to do")
        await self._bot.restrict_chat_member(
            _chat_id(action.chat),
            _user_id(action.user),
            permissions=ChatPermissions.no_permissions(),
            until_date=until,
            use_independent_chat_permissions=True,
        )
        return ActionResult.success()

    async def _invite_link(self, action: CreateInviteLink) -> ActionResult:
        name = (action.user.display_name or action.user.user_id) if action.user else None
        link = await self._bot.create_chat_invite_link(
            _chat_id(action.chat),
            expire_date=self._clock.now() + timedelta(hours=action.expire_hours),
            member_limit=1,
            name=name[:32] if name else None,
        )
        return ActionResult.success(link.invite_link)

    async def _approve(self, action: ApproveJoin) -> ActionResult:
        try:
            await self._bot.approve_chat_join_request(_chat_id(action.chat), _user_id(action.user))
        except BadRequest as exc:
            if "user_already_participant" in exc.message.lower():
                return ActionResult.success(detail="already in the group")
            raise
        return ActionResult.success()


def _chat_id(chat: ChatRef) -> int | str:
    """Telegram's numeric chat id (ids are strings in cassbot; `@name` stays as it is)."""
    try:
        return int(chat.chat_id)
    except ValueError:
        return chat.chat_id


def _user_id(user: UserRef) -> int:
    return int(user.user_id)


def _message_id(message: MessageRef) -> int:
    return int(message.message_id)

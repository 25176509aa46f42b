"""Bot API errors → cassbot's typed action results.

PTB raises one exception class per HTTP status (400 BadRequest, 403 Forbidden, 429 RetryAfter,
5xx and connection failures NetworkError); within 400, Telegram's description says what went
wrong, so the few cases the outbox treats differently are told apart by it.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from cassbot.actions import ActionResult

# Descriptions (lower case) of 400 errors meaning "the target is gone": a deleted message, a
# user or chat Telegram does not know, a join request already handled.
_GONE = (
    "not found",
    "participant_id_invalid",
    "user_id_invalid",
    "hide_requester_missing",
    "message_id_invalid",
    "peer_id_invalid",
)
# …and those meaning "the bot may not do that here".
_NO_RIGHTS = (
    "not enough rights",
    "have no rights",
    "need administrator rights",
    "chat_admin_required",
    "is an administrator of the chat",
    "can't remove chat owner",
    "can't demote chat creator",
    "can't restrict self",
    "message can't be deleted",
    "bot is not a member",
    "bot was kicked",
    "right_forbidden",
    "user_admin_invalid",
)


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asks to wait, whichever type this PTB version reports it in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def result_for(exc: TelegramError) -> ActionResult:
    """The typed result an action gets when the Bot API answered with an error."""
    detail = str(exc.message)
    if isinstance(exc, RetryAfter):
        return ActionResult(
            status="rate_limited", retry_after=retry_after_seconds(exc), detail=detail
        )
    if isinstance(exc, Forbidden):
        return ActionResult(status="forbidden", detail=detail)
    if isinstance(exc, ChatMigrated):
        return ActionResult(
            status="permanent_error",
            detail=(
                f"the group became supergroup {exc.new_chat_id}: update its chat_id in the "
                "configuration"
            ),
        )
    if isinstance(exc, InvalidToken):
        return ActionResult(status="permanent_error", detail=f"bot token rejected: {detail}")
    if isinstance(exc, BadRequest):
        lowered = detail.lower()
        if any(marker in lowered for marker in _NO_RIGHTS):
            return ActionResult(status="forbidden", detail=detail)
        if any(marker in lowered for marker in _GONE):
            return ActionResult(status="not_found", detail=detail)
        return ActionResult(status="permanent_error", detail=detail)
    if isinstance(exc, TimedOut):
        return ActionResult(
            status="transient_error", detail=f"timed out (it may have been done): {detail}"
        )
    if isinstance(exc, NetworkError | Conflict):
        return ActionResult(status="transient_error", detail=detail)
    return ActionResult(status="transient_error", detail=f"{type(exc).__name__}: {detail}")

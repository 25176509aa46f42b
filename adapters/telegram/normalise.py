"""Telegram updates → cassbot events: pure functions over the Bot API's JSON, parsed by PTB.

The webhook and the polling loop both hand raw update dicts to `normalise_update`, so the two
ingress modes produce exactly the same events.

Dedupe keys are `telegram:<bot id>:<update_id>:<unix time of the update>`. A delivery Telegram
repeats (a webhook answered too late, a poll whose offset was not saved yet) carries the same
update_id and timestamp, so it is stored once. The timestamp is there because Telegram restarts
update ids at a random number after a week without updates: an old id may come back, but never
with the same time. An update that yields several events numbers the extra ones (`…:2`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import Chat as TgChat
from telegram import ChatJoinRequest, ChatMemberUpdated, Message, Update

from adapters.telegram.facts import message_facts
from adapters.telegram.refs import (
    CHANNEL,
    chat_ref,
    is_admin_status,
    is_present,
    sender_ref,
    user_ref,
)
from cassbot.events import (
    Event,
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    MessageRef,
    RoleChanged,
    UserRef,
)

# What cassbot asks Telegram to deliver (webhook registration and getUpdates alike).
ALLOWED_UPDATES: tuple[str, ...] = (
    "message",
    "edited_message",
    "chat_member",
    "my_chat_member",
    "chat_join_request",
)


class UnreadableUpdate(ValueError):
    """An update that cannot be read (a malformed part PTB refuses).

    Its message and attributes hold only facts safe to log: the update's id and kind, the
    error's type and the names of the fields present, never their values (names, texts).
    """

    def __init__(
        self,
        message: str,
        *,
        update_id: int | None = None,
        kind: str = "unknown",
        error_type: str = "",
        fields: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.update_id = update_id
        self.kind = kind
        self.error_type = error_type
        self.fields = fields


class NotAnUpdate(UnreadableUpdate):
    """The payload is not a Telegram update at all."""


@dataclass(frozen=True, slots=True)
class Normalised:
    update_id: int
    kind: str  # the update's field ("message", "chat_member"…), or "unknown"
    events: tuple[Event, ...] = ()
    note: str = ""  # why nothing came out of it, for the log
    needs_attention: bool = False  # the note asks the operator to act

    @property
    def about_bot_status(self) -> bool:
        return self.kind == "my_chat_member" and bool(self.events)


def bot_id_from_token(token: str) -> str:
    """The bot's user id is the token's first part (known before any call to Telegram)."""
    return token.split(":", 1)[0]


def normalise_update(data: Mapping[str, Any], *, bot_id: str) -> Normalised:
    """The events one update means; raises UnreadableUpdate for anything that is not one."""
    update_id = data.get("update_id") if isinstance(data, Mapping) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise NotAnUpdate("not a Telegram update: expected an object with an integer update_id")
    kind = next((k for k in data if k != "update_id"), "unknown")
    if kind not in ALLOWED_UPDATES:
        # Not parsed at all: a kind cassbot does not use must not fail on fields PTB expects.
        return Normalised(update_id, kind, note="update kind cassbot does not use")
    keys = _Keys(bot_id, update_id)
    try:
        return _events(Update.de_json(copy.deepcopy(dict(data)), None), update_id, keys, bot_id)
    except Exception as exc:  # PTB raises TypeError/KeyError/ValueError on malformed parts
        error = exc
    # A message whose extras (a poll, a game, buttons…) PTB cannot read is still a message:
    # read its core (who, where, text, media) rather than lose it.
    core = _message_core(data, kind)
    if core is not None:
        try:
            result = _events(Update.de_json(core, None), update_id, keys, bot_id)
        except Exception:
            pass
        else:
            note = f"read without the parts PTB refused ({type(error).__name__})"
            return Normalised(result.update_id, result.kind, result.events, note)
    # PTB's error text may quote the update's values: only its type goes into the message.
    raise UnreadableUpdate(
        f"update {update_id} ({kind}) could not be read: {type(error).__name__}",
        update_id=update_id,
        kind=kind,
        error_type=type(error).__name__,
        fields=_field_names(data.get(kind)),
    ) from error


def _field_names(part: Any) -> tuple[str, ...]:
    """The keys of an update's part (Telegram's field names, never their values)."""
    return tuple(sorted(str(key) for key in part)) if isinstance(part, Mapping) else ()


# The parts of a message cassbot reads; anything else is left out of a second reading.
# fmt: off
_MESSAGE_CORE = frozenset((
    "message_id", "date", "edit_date", "chat", "from", "sender_chat", "text", "caption",
    "entities", "caption_entities", "forward_origin", "is_automatic_forward", "is_topic_message",
    "message_thread_id", "photo", "voice", "audio", "document", "video", "video_note",
    "animation", "sticker", "location", "venue", "contact",
))
# fmt: on


def _message_core(data: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    message = data.get(kind)
    if kind not in ("message", "edited_message") or not isinstance(message, Mapping):
        return None
    core = {k: copy.deepcopy(v) for k, v in message.items() if k in _MESSAGE_CORE}
    reply = message.get("reply_to_message")
    if isinstance(reply, Mapping):
        core["reply_to_message"] = {
            k: copy.deepcopy(v) for k, v in reply.items() if k in _MESSAGE_CORE
        }
    return {"update_id": data["update_id"], kind: core}


def _events(update: Update, update_id: int, keys: _Keys, bot_id: str) -> Normalised:
    if update.message is not None:
        return _message(update_id, "message", update.message, keys, bot_id, edited=False)
    if update.edited_message is not None:
        edited = update.edited_message
        return _message(update_id, "edited_message", edited, keys, bot_id, edited=True)
    if update.chat_member is not None:
        return _member_update(update_id, "chat_member", update.chat_member, keys, bot_id)
    if update.my_chat_member is not None:
        return _member_update(update_id, "my_chat_member", update.my_chat_member, keys, bot_id)
    if update.chat_join_request is not None:
        return _join_request(update_id, update.chat_join_request, keys, bot_id)
    return Normalised(update_id, "unknown", note="update without content")


class _Keys:
    def __init__(self, bot_id: str, update_id: int) -> None:
        self._base = f"{CHANNEL}:{bot_id}:{update_id}"

    def __call__(self, when: datetime, n: int = 1) -> str:
        key = f"{self._base}:{int(when.timestamp())}"
        return key if n == 1 else f"{key}:{n}"


# Messages ---------------------------------------------------------------------------------------


def _message(
    update_id: int, kind: str, message: Message, keys: _Keys, bot_id: str, *, edited: bool
) -> Normalised:
    if message.chat.type == TgChat.CHANNEL:
        return Normalised(update_id, kind, note="channel post")
    facts = message_facts(message)
    text = message.text or message.caption or ""
    if not text and not facts.attachments:
        moved = message.migrate_to_chat_id is not None
        return Normalised(update_id, kind, note=_service_note(message), needs_attention=moved)
    chat = chat_ref(message.chat)
    ref = MessageRef(chat=chat, message_id=str(message.message_id))
    actor = sender_ref(message, bot_id)
    if edited:
        when = message.edit_date or message.date
        event: Event = MessageEdited(
            dedupe_key=keys(when),
            chat=chat,
            actor=actor,
            occurred_at=when,
            message=ref,
            text=text,
            facts=facts,
        )
        return Normalised(update_id, kind, (event,))
    reply = message.reply_to_message
    # In forum topics every message "replies" to the topic's opening message: not a real reply.
    if reply is not None and message.is_topic_message and reply.forum_topic_created:
        reply = None
    event = MessagePosted(
        dedupe_key=keys(message.date),
        chat=chat,
        actor=actor,
        occurred_at=message.date,
        message=ref,
        text=text,
        reply_to=MessageRef(chat=chat, message_id=str(reply.message_id)) if reply else None,
        reply_to_author=sender_ref(reply, bot_id) if reply else None,
        facts=facts,
    )
    return Normalised(update_id, kind, (event,))


def _service_note(message: Message) -> str:
    if message.migrate_to_chat_id:
        return (
            f"group {message.chat.id} became supergroup {message.migrate_to_chat_id}: "
            "update its chat_id in the configuration"
        )
    if message.new_chat_members or message.left_chat_member:
        return "join/leave service message (membership comes from chat_member updates)"
    return "service message without content"


# Membership ------------------------------------------------------------------------------------


def _member_update(
    update_id: int, kind: str, change: ChatMemberUpdated, keys: _Keys, bot_id: str
) -> Normalised:
    chat = chat_ref(change.chat)
    if chat.private:
        return Normalised(update_id, kind, note="a person blocked or restarted the bot")
    old, new = change.old_chat_member, change.new_chat_member
    member = user_ref(new.user, bot_id)
    actor = user_ref(change.from_user, bot_id)
    own = member.is_bot
    was_in, is_in = is_present(old), is_present(new)
    was_admin, is_admin = is_admin_status(old, own=own), is_admin_status(new, own=own)
    when = change.date
    events: list[Event] = []

    def key() -> str:
        return keys(when, len(events) + 1)

    if is_in and not was_in:
        events.append(
            MemberJoined(
                dedupe_key=key(),
                chat=chat,
                actor=actor,
                occurred_at=when,
                member=member,
                via=_joined_via(change, member),
                invite_link=change.invite_link.invite_link if change.invite_link else None,
            )
        )
    elif was_in and not is_in:
        removed_by = actor if actor.user_id != member.user_id else None
        events.append(
            MemberLeft(
                dedupe_key=key(),
                chat=chat,
                actor=actor,
                occurred_at=when,
                member=member,
                removed_by=removed_by,
            )
        )
    if is_in and (was_admin != is_admin if was_in else is_admin):
        events.append(
            RoleChanged(
                dedupe_key=key(),
                chat=chat,
                actor=actor,
                occurred_at=when,
                member=member,
                admin=is_admin,
            )
        )
    note = "" if events else f"status {old.status} → {new.status}: nothing to record"
    return Normalised(update_id, kind, tuple(events), note)


def _joined_via(change: ChatMemberUpdated, member: UserRef) -> Any:
    if change.via_join_request:
        return "approved"
    if change.invite_link is not None or change.via_chat_folder_invite_link:
        return "invite"
    if str(change.from_user.id) != member.user_id:
        return "added"
    return "self"


def _join_request(
    update_id: int, request: ChatJoinRequest, keys: _Keys, bot_id: str
) -> Normalised:
    chat = chat_ref(request.chat)
    member = user_ref(request.from_user, bot_id)
    event = JoinRequested(
        dedupe_key=keys(request.date),
        chat=chat,
        actor=member,
        occurred_at=request.date,
        member=member,
        invite_link=request.invite_link.invite_link if request.invite_link else None,
    )
    return Normalised(update_id, "chat_join_request", (event,))

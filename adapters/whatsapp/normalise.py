"""WAHA webhook envelopes → cassbot events (pure functions: no I/O, tested on payloads).

Duplicates are common with WAHA (engine re-deliveries, retries, a global and a session webhook
at once) and a re-delivery may carry a new envelope id, so each event's dedupe key is built from
the payload: a message by its chat and WhatsApp message id, a revoke by the revoked id, a
participant change by group, kind, time and person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.whatsapp.facts import mapping, message_facts
from adapters.whatsapp.ids import (
    MessageId,
    clean_user_id,
    full_message_id,
    is_group,
    phone_of,
)
from cassbot.events import (
    ChannelStatus,
    ChatRef,
    Event,
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    MessageRef,
    RoleChanged,
    UserRef,
)

CHANNEL = "whatsapp"
HANDLED_EVENTS = frozenset(
    {
        "message",
        "message.any",
        "message.edited",
        "message.revoked",
        "group.v2.join",
        "group.v2.leave",
        "group.v2.participants",
        "session.status",
    }
)
ADMIN_ROLES = frozenset({"admin", "superadmin"})


class PayloadError(ValueError):
    """A webhook body cassbot cannot understand (answered with 400 and this message)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    id: str
    event: str
    session: str
    timestamp_ms: int | None
    payload: Mapping[str, Any]
    me_ids: frozenset[str]
    me_name: str | None = None


@dataclass(frozen=True, slots=True)
class Identities:
    """What the adapter knows that a payload may lack: the bot's ids and `@lid` phones."""

    me_ids: frozenset[str] = frozenset()
    phones: Mapping[str, str] | None = None  # `@lid` id -> E.164

    def phone(self, user_id: str, pn: Any = None) -> str | None:
        if isinstance(pn, str) and (phone := phone_of(pn)):
            return phone
        return phone_of(user_id) or (self.phones or {}).get(user_id)


def parse_envelope(raw: bytes) -> Envelope:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"the body is not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise PayloadError("the body must be a JSON object (a WAHA event envelope)")
    event = body.get("event")
    if not isinstance(event, str) or not event:
        raise PayloadError("the envelope has no 'event' name")
    session = body.get("session")
    if not isinstance(session, str) or not session:
        raise PayloadError("the envelope has no 'session'")
    payload = body.get("payload")
    if not isinstance(payload, dict):
        raise PayloadError("the envelope's 'payload' must be an object")
    me = mapping(body.get("me"))
    me_ids = frozenset(
        clean_user_id(v) for k in ("id", "lid", "jid") if isinstance(v := me.get(k), str) and v
    )
    timestamp = body.get("timestamp")
    return Envelope(
        id=str(body.get("id") or ""),
        event=event,
        session=session,
        timestamp_ms=int(timestamp) if isinstance(timestamp, int | float) else None,
        payload=payload,
        me_ids=me_ids,
        me_name=me.get("pushName") if isinstance(me.get("pushName"), str) else None,
    )


def normalise(envelope: Envelope, known: Identities | None = None) -> list[Event] | None:
    """The events an envelope means; None when cassbot does not handle that event."""
    known = known or Identities()
    known = Identities(me_ids=known.me_ids | envelope.me_ids, phones=known.phones)
    payload = envelope.payload
    match envelope.event:
        case "message" | "message.any":
            return [_message(envelope, payload, known)]
        case "message.edited":
            return [_edited(envelope, payload, known)]
        case "message.revoked":
            return [_revoked(envelope, payload, known)]
        case "group.v2.participants":
            return _participants(envelope, payload, known)
        case "group.v2.join":
            return _bot_joined(envelope, payload, known)
        case "group.v2.leave":
            return _bot_left(envelope, payload, known)
        case "session.status":
            return [_status(envelope, payload)]
    return None


# --- helpers -------------------------------------------------------------------------------


def _key(envelope: Envelope, event_id: str) -> str:
    return f"{CHANNEL}:{envelope.session}:{event_id}"


def _text(payload: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = payload.get(name)
    if isinstance(value, str) and value:
        return value
    if required:
        raise PayloadError(f"the payload has no '{name}'")
    return ""


def _time(seconds: Any, envelope: Envelope) -> datetime:
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        # Some engines give milliseconds; a unix time in seconds stays below 1e11 until 5138.
        return datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, tz=UTC)
    if envelope.timestamp_ms:
        return datetime.fromtimestamp(envelope.timestamp_ms / 1000, tz=UTC)
    raise PayloadError("the payload has no usable 'timestamp'")


def _user(user_id: str, known: Identities, *, pn: Any = None, name: Any = None) -> UserRef:
    clean = clean_user_id(user_id)
    return UserRef(
        channel=CHANNEL,
        user_id=clean,
        display_name=name if isinstance(name, str) and name else None,
        phone=known.phone(clean, pn),
        is_bot=clean in known.me_ids,
    )


def _chat(chat_id: str) -> ChatRef:
    return ChatRef(channel=CHANNEL, chat_id=chat_id, private=not is_group(chat_id))


def _push_name(payload: Mapping[str, Any]) -> str | None:
    raw = payload.get("_data")
    if not isinstance(raw, Mapping):
        return None
    for source in (raw, raw.get("Info")):
        if isinstance(source, Mapping):
            for key in ("PushName", "pushName", "notifyName"):
                if isinstance(source.get(key), str) and source[key]:
                    return str(source[key])
    return None


def _sender(payload: Mapping[str, Any], chat_id: str, known: Identities) -> UserRef:
    name = _push_name(payload)
    if payload.get("fromMe") is True:
        me = sorted(known.me_ids)
        return UserRef(channel=CHANNEL, user_id=me[0] if me else "me", is_bot=True)
    if is_group(chat_id):
        sender = payload.get("participant") or payload.get("author")
        if not isinstance(sender, str) or not sender:
            raise PayloadError("a group message must name its 'participant' (the sender)")
        return _user(sender, known, name=name)
    return _user(chat_id, known, name=name)


def _message_chat(payload: Mapping[str, Any]) -> str:
    """The chat a message belongs to (`from` is the other side unless we sent it)."""
    if payload.get("fromMe") is True and isinstance(payload.get("to"), str) and payload["to"]:
        return str(payload["to"])
    return _text(payload, "from")


# --- messages ------------------------------------------------------------------------------


def _message(envelope: Envelope, payload: Mapping[str, Any], known: Identities) -> MessagePosted:
    message_id = _text(payload, "id")
    chat_id = _message_chat(payload)
    parsed = MessageId.parse(message_id)
    chat = _chat(chat_id)
    reply_to, reply_author = _reply(payload, chat_id, known)
    return MessagePosted(
        dedupe_key=_key(envelope, f"msg:{chat_id}:{parsed.wa_id if parsed else message_id}"),
        chat=chat,
        actor=_sender(payload, chat_id, known),
        occurred_at=_time(payload.get("timestamp"), envelope),
        message=MessageRef(chat=chat, message_id=message_id),
        text=payload.get("body") if isinstance(payload.get("body"), str) else "",
        reply_to=reply_to,
        reply_to_author=reply_author,
        facts=message_facts(payload),
    )


def _reply(
    payload: Mapping[str, Any], chat_id: str, known: Identities
) -> tuple[MessageRef | None, UserRef | None]:
    reply = payload.get("replyTo")
    if not isinstance(reply, Mapping) or not isinstance(reply.get("id"), str) or not reply["id"]:
        return None, None
    author_id = reply.get("participant") if isinstance(reply.get("participant"), str) else None
    author = _user(author_id, known) if author_id else None
    full = full_message_id(
        chat_id,
        reply["id"],
        clean_user_id(author_id) if author_id else None,
        from_me=bool(author and author.is_bot),
    )
    return MessageRef(chat=_chat(chat_id), message_id=full), author


def _edited(envelope: Envelope, payload: Mapping[str, Any], known: Identities) -> MessageEdited:
    edit_id = _text(payload, "id")
    original = _text(payload, "editedMessageId")
    chat_id = _message_chat(payload)
    chat = _chat(chat_id)
    actor = _sender(payload, chat_id, known)
    parsed = MessageId.parse(edit_id)
    participant = parsed.participant if parsed else None
    return MessageEdited(
        dedupe_key=_key(envelope, f"edit:{chat_id}:{parsed.wa_id if parsed else edit_id}"),
        chat=chat,
        actor=actor,
        occurred_at=_time(payload.get("timestamp"), envelope),
        message=MessageRef(
            chat=chat,
            message_id=full_message_id(chat_id, original, participant, from_me=actor.is_bot),
        ),
        text=payload.get("body") if isinstance(payload.get("body"), str) else "",
        facts=message_facts(payload),
    )


def _revoked(envelope: Envelope, payload: Mapping[str, Any], known: Identities) -> MessageDeleted:
    revoked = _text(payload, "revokedMessageId")
    after = mapping(payload.get("after"))
    before = mapping(payload.get("before"))
    source = after or before
    if not source:
        raise PayloadError("a revoke must carry 'after' or 'before' (to know its chat)")
    chat_id = _message_chat(source)
    chat = _chat(chat_id)
    # `before` is the revoked message itself when the engine kept it: its id is the full one.
    original = before.get("id") if isinstance(before.get("id"), str) else revoked
    actor = _sender(after, chat_id, known) if after else None
    return MessageDeleted(
        dedupe_key=_key(envelope, f"revoke:{chat_id}:{revoked}"),
        chat=chat,
        actor=actor,
        occurred_at=_time(source.get("timestamp"), envelope),
        message=MessageRef(chat=chat, message_id=original),
    )


# --- groups --------------------------------------------------------------------------------


def _group_id(payload: Mapping[str, Any]) -> str:
    group = payload.get("group")
    if not isinstance(group, Mapping) or not isinstance(group.get("id"), str):
        raise PayloadError("the payload has no 'group.id'")
    return str(group["id"])


def _participants(
    envelope: Envelope, payload: Mapping[str, Any], known: Identities
) -> list[Event]:
    kind = payload.get("type")
    if kind not in ("join", "leave", "promote", "demote"):
        raise PayloadError("'type' must be one of join, leave, promote, demote")
    group_id = _group_id(payload)
    people = payload.get("participants")
    if not isinstance(people, list):
        raise PayloadError("the payload has no 'participants' list")
    chat = _chat(group_id)
    at = _time(payload.get("timestamp"), envelope)
    stamp = payload.get("timestamp") or envelope.timestamp_ms
    events: list[Event] = []
    for person in people:
        if not isinstance(person, Mapping) or not isinstance(person.get("id"), str):
            raise PayloadError("each participant needs an 'id'")
        member = _user(person["id"], known, pn=person.get("pn"))
        key = _key(envelope, f"part:{group_id}:{kind}:{stamp}:{member.user_id}")
        if kind == "join":
            events.append(MemberJoined(dedupe_key=key, chat=chat, member=member, occurred_at=at))
        elif kind == "leave":
            events.append(MemberLeft(dedupe_key=key, chat=chat, member=member, occurred_at=at))
        else:
            events.append(
                RoleChanged(
                    dedupe_key=key,
                    chat=chat,
                    member=member,
                    occurred_at=at,
                    admin=kind == "promote",
                )
            )
    return events


def _me(known: Identities) -> UserRef:
    me = sorted(known.me_ids, key=lambda i: (not i.endswith("@c.us"), i))
    user_id = me[0] if me else "me"
    return UserRef(channel=CHANNEL, user_id=user_id, phone=phone_of(user_id), is_bot=True)


def _bot_joined(envelope: Envelope, payload: Mapping[str, Any], known: Identities) -> list[Event]:
    group_id = _group_id(payload)
    chat = _chat(group_id)
    at = _time(payload.get("timestamp"), envelope)
    stamp = payload.get("timestamp") or envelope.timestamp_ms
    me = _me(known)
    events: list[Event] = [
        MemberJoined(
            dedupe_key=_key(envelope, f"botjoin:{group_id}:{stamp}"),
            chat=chat,
            member=me,
            occurred_at=at,
            via="added",
        )
    ]
    group = payload.get("group")
    people = group.get("participants") if isinstance(group, Mapping) else None
    for person in people if isinstance(people, list) else []:
        if isinstance(person, Mapping) and clean_user_id(str(person.get("id"))) in known.me_ids:
            events.append(
                RoleChanged(
                    dedupe_key=_key(envelope, f"botrole:{group_id}:{stamp}"),
                    chat=chat,
                    member=me,
                    occurred_at=at,
                    admin=person.get("role") in ADMIN_ROLES,
                )
            )
            break
    return events


def _bot_left(envelope: Envelope, payload: Mapping[str, Any], known: Identities) -> list[Event]:
    group_id = _group_id(payload)
    stamp = payload.get("timestamp") or envelope.timestamp_ms
    return [
        MemberLeft(
            dedupe_key=_key(envelope, f"botleave:{group_id}:{stamp}"),
            chat=_chat(group_id),
            member=_me(known),
            occurred_at=_time(payload.get("timestamp"), envelope),
        )
    ]


# --- session -------------------------------------------------------------------------------


def _status(envelope: Envelope, payload: Mapping[str, Any]) -> ChannelStatus:
    status = _text(payload, "status")
    name = payload.get("name") if isinstance(payload.get("name"), str) else envelope.session
    history = payload.get("statuses")
    stamp: Any = envelope.timestamp_ms or envelope.id
    if isinstance(history, list) and history and isinstance(history[-1], Mapping):
        stamp = history[-1].get("timestamp", stamp)
    occurred = _time(None, envelope)
    return ChannelStatus(
        dedupe_key=_key(envelope, f"status:{status}:{stamp}"),
        chat=ChatRef(channel=CHANNEL, chat_id=f"session:{name}", private=True),
        occurred_at=occurred,
        status=status,
        detail=f"WAHA session {name} is {status}",
    )

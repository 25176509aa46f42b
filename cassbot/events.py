"""Inbound events: what happened on a channel, normalised by its adapter.

Events are plain immutable values. Adapters build them from platform payloads (pure functions),
ingress stores them (deduplicated by `dedupe_key`), and the pipeline consumes them. Platform ids
are strings everywhere: Telegram ids exceed 32 bits and WhatsApp ids are JIDs, sometimes `@lid`
ids rather than phone numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from cassbot.values import Frozen


class ChatRef(Frozen):
    """A conversation on a channel: a community group or a private chat with one person."""

    channel: str
    chat_id: str
    private: bool = False

    @property
    def key(self) -> str:
        """Stable key used to order processing and outbound sends per chat."""
        return f"{self.channel}:{self.chat_id}"


class UserRef(Frozen):
    """A platform identity (not a person: one person may have several)."""

    channel: str
    user_id: str
    display_name: str | None = None
    phone: str | None = None  # E.164 when the platform reveals it (WhatsApp `@c.us`, `pn`)
    is_bot: bool = False


class MessageRef(Frozen):
    """A message on a channel, by the id the platform needs to act on it."""

    chat: ChatRef
    message_id: str


AttachmentKind = Literal[
    "voice", "audio", "image", "video", "document", "sticker", "location", "contact", "other"
]


class Attachment(Frozen):
    """A media item or shared place carried by a message."""

    kind: AttachmentKind
    mime_type: str | None = None
    url: str | None = None  # where the adapter can fetch it; may expire
    file_name: str | None = None
    size: int | None = None
    duration_s: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    place: str | None = None  # a shared location's name or address
    error: str | None = None  # the platform could not provide the media (expired, disabled)


class MessageFacts(Frozen):
    """The screening-friendly digest of a message, computed once by the adapter."""

    links: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # platform user ids mentioned
    attachments: tuple[Attachment, ...] = ()
    forwarded: bool = False
    forwarded_many: bool = False  # WhatsApp's "forwarded many times" marker

    @property
    def is_voice_note(self) -> bool:
        return any(a.kind == "voice" for a in self.attachments)


class EventBase(Frozen):
    """Fields every event carries."""

    dedupe_key: str  # f"{channel}:{account}:{platform_event_id}"
    chat: ChatRef
    actor: UserRef | None = None  # who did it (None for platform/system events)
    occurred_at: datetime  # UTC, from the platform

    @property
    def channel(self) -> str:
        return self.chat.channel


class MessagePosted(EventBase):
    kind: Literal["message.posted"] = "message.posted"
    message: MessageRef
    text: str = ""
    reply_to: MessageRef | None = None
    reply_to_author: UserRef | None = None
    facts: MessageFacts = MessageFacts()


class MessageEdited(EventBase):
    kind: Literal["message.edited"] = "message.edited"
    message: MessageRef
    text: str = ""
    facts: MessageFacts = MessageFacts()


class MessageDeleted(EventBase):
    kind: Literal["message.deleted"] = "message.deleted"
    message: MessageRef


class MemberJoined(EventBase):
    kind: Literal["member.joined"] = "member.joined"
    member: UserRef
    via: Literal["self", "invite", "added", "approved", "unknown"] = "unknown"
    # The invite link used, when the platform tells: Telegram gives in full the links the bot
    # made itself, so a join through an admission's one-time link is recognised by it.
    invite_link: str | None = None


class MemberLeft(EventBase):
    kind: Literal["member.left"] = "member.left"
    member: UserRef
    removed_by: UserRef | None = None


class JoinRequested(EventBase):
    kind: Literal["member.join_requested"] = "member.join_requested"
    member: UserRef
    invite_link: str | None = None  # the link that asked for approval, when the platform tells


class RoleChanged(EventBase):
    kind: Literal["member.role_changed"] = "member.role_changed"
    member: UserRef
    admin: bool


class ChannelStatus(EventBase):
    """The channel's connection changed state (e.g. a WhatsApp gateway session)."""

    kind: Literal["channel.status"] = "channel.status"
    status: str
    detail: str = ""


Event = Annotated[
    MessagePosted
    | MessageEdited
    | MessageDeleted
    | MemberJoined
    | MemberLeft
    | JoinRequested
    | RoleChanged
    | ChannelStatus,
    Field(discriminator="kind"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_to_json(event: Event) -> str:
    return EVENT_ADAPTER.dump_json(event).decode()


def event_from_json(data: str | bytes) -> Event:
    return EVENT_ADAPTER.validate_json(data)

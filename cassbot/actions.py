"""Outbound actions: what cassbot wants a channel to do, and the typed result of trying.

Actions are immutable values persisted in the outbox before they run. Each carries an
idempotency key, so a retry after a success that was never recorded does no harm: deletes and
removals are idempotent on every platform, and adapters use the key to detect repeated sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from cassbot.events import ChatRef, MessageRef, UserRef
from cassbot.values import Frozen


class ActionBase(Frozen):
    idempotency_key: str = ""  # assigned by the outbox when the producer leaves it empty

    @property
    def channel(self) -> str:
        return self.target.channel

    @property
    def target(self) -> ChatRef:
        """The chat this action affects; the outbox keeps actions in order per target."""
        raise NotImplementedError


class SendMessage(ActionBase):
    kind: Literal["send"] = "send"
    chat: ChatRef
    text: str
    reply_to: MessageRef | None = None
    mentions: tuple[UserRef, ...] = ()
    # Where to say it instead when the chat cannot be reached (Telegram users who never
    # started the bot, WhatsApp contacts that block unknown senders): usually the group.
    fallback_chat: ChatRef | None = None
    fallback_reply_to: MessageRef | None = None
    fallback_text: str | None = None

    @property
    def target(self) -> ChatRef:
        return self.chat


class DeleteMessage(ActionBase):
    kind: Literal["delete"] = "delete"
    message: MessageRef

    @property
    def target(self) -> ChatRef:
        return self.message.chat


class RemoveMember(ActionBase):
    """Take someone out of a group; they may come back when readmitted."""

    kind: Literal["remove"] = "remove"
    chat: ChatRef
    user: UserRef
    reason: str = ""

    @property
    def target(self) -> ChatRef:
        return self.chat


class BanMember(ActionBase):
    """Take someone out of a group and keep them out (where the platform can)."""

    kind: Literal["ban"] = "ban"
    chat: ChatRef
    user: UserRef
    reason: str = ""

    @property
    def target(self) -> ChatRef:
        return self.chat


class UnbanMember(ActionBase):
    kind: Literal["unban"] = "unban"
    chat: ChatRef
    user: UserRef

    @property
    def target(self) -> ChatRef:
        return self.chat


class AddMember(ActionBase):
    kind: Literal["add"] = "add"
    chat: ChatRef
    user: UserRef
    # When the platform refuses the add (privacy settings), the channel may send the person
    # an invite link itself; False when the producer handles the refusal (registration does).
    invite_on_refusal: bool = True

    @property
    def target(self) -> ChatRef:
        return self.chat


class SetAdmin(ActionBase):
    """Promote a member to group admin, or demote them."""

    kind: Literal["set_admin"] = "set_admin"
    chat: ChatRef
    user: UserRef
    admin: bool = True

    @property
    def target(self) -> ChatRef:
        return self.chat


class RestrictMember(ActionBase):
    """Mute a member until a time (None: until lifted)."""

    kind: Literal["restrict"] = "restrict"
    chat: ChatRef
    user: UserRef
    until: datetime | None = None

    @property
    def target(self) -> ChatRef:
        return self.chat


class CreateInviteLink(ActionBase):
    """A one-time invite link for one person; the link comes back as the result's platform_ref."""

    kind: Literal["invite_link"] = "invite_link"
    chat: ChatRef
    user: UserRef | None = None
    expire_hours: int = 72

    @property
    def target(self) -> ChatRef:
        return self.chat


class ApproveJoin(ActionBase):
    kind: Literal["approve_join"] = "approve_join"
    chat: ChatRef
    user: UserRef

    @property
    def target(self) -> ChatRef:
        return self.chat


class SendEmail(ActionBase):
    kind: Literal["email"] = "email"
    to: tuple[str, ...]
    subject: str
    body: str

    @property
    def target(self) -> ChatRef:
        return ChatRef(channel="email", chat_id=",".join(self.to), private=True)


Action = Annotated[
    SendMessage
    | DeleteMessage
    | RemoveMember
    | BanMember
    | UnbanMember
    | AddMember
    | SetAdmin
    | RestrictMember
    | CreateInviteLink
    | ApproveJoin
    | SendEmail,
    Field(discriminator="kind"),
]

ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)


def action_to_json(action: Action) -> str:
    return ACTION_ADAPTER.dump_json(action).decode()


def action_from_json(data: str | bytes) -> Action:
    return ACTION_ADAPTER.validate_json(data)


ResultStatus = Literal[
    "ok",
    "unsupported",
    "forbidden",
    "not_found",
    "rate_limited",
    "transient_error",
    "permanent_error",
]

RETRYABLE: frozenset[str] = frozenset({"rate_limited", "transient_error"})


class ActionResult(Frozen):
    status: ResultStatus
    retry_after: float | None = None  # seconds, for rate_limited
    platform_ref: str | None = None  # e.g. the id of the sent message, or an invite link
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE

    @classmethod
    def success(cls, platform_ref: str | None = None, detail: str = "") -> ActionResult:
        return cls(status="ok", platform_ref=platform_ref, detail=detail)

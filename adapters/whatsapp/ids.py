"""WhatsApp ids as WAHA writes them: chats, people (`@c.us` or `@lid`) and message ids.

A message id is `{fromMe}_{chatId}_{waMessageId}[_{participant}]`; in groups the participant
suffix is what lets an admin delete someone else's message. People arrive as phone ids
(`5217611234567@c.us`) or as privacy ids (`123456789012345@lid`) that hide the number.
"""

from __future__ import annotations

from dataclasses import dataclass

from cassbot.phones import normalise_phone

GROUP_SERVER = "g.us"
PHONE_SERVER = "c.us"
LID_SERVER = "lid"


def server_of(jid: str) -> str:
    return jid.rpartition("@")[2] if "@" in jid else ""


def is_group(jid: str) -> bool:
    return server_of(jid) == GROUP_SERVER


def is_lid(jid: str) -> bool:
    return server_of(jid) == LID_SERVER


def clean_user_id(jid: str) -> str:
    """One form per person: no `:device` part, and `@s.whatsapp.net` written as `@c.us`.

    WAHA's NOWEB engine refuses `@s.whatsapp.net` ids in participant calls.
    """
    user, at, server = jid.strip().partition("@")
    if not at:
        return jid.strip()
    user = user.split(":", 1)[0]
    if server == "s.whatsapp.net":
        server = PHONE_SERVER
    return f"{user}@{server}"


def phone_of(jid: str | None) -> str | None:
    """E.164 phone behind a `@c.us` id; None for `@lid` ids, groups and junk."""
    if not jid or server_of(jid) not in (PHONE_SERVER, "s.whatsapp.net"):
        return None
    return normalise_phone(clean_user_id(jid))


@dataclass(frozen=True, slots=True)
class MessageId:
    from_me: bool
    chat: str
    wa_id: str
    participant: str | None = None

    @classmethod
    def parse(cls, text: str) -> MessageId | None:
        parts = text.split("_")
        if len(parts) < 3 or parts[0] not in ("true", "false") or not parts[1] or not parts[2]:
            return None
        participant = "_".join(parts[3:]) or None
        return cls(parts[0] == "true", parts[1], parts[2], participant)

    def __str__(self) -> str:
        head = f"{'true' if self.from_me else 'false'}_{self.chat}_{self.wa_id}"
        return f"{head}_{self.participant}" if self.participant else head


def full_message_id(chat: str, wa_id: str, participant: str | None, *, from_me: bool) -> str:
    """The id WAHA needs to act on a message known by its bare WhatsApp id."""
    if "_" in wa_id and MessageId.parse(wa_id) is not None:
        return wa_id  # already a full id
    return str(MessageId(from_me, chat, wa_id, participant if is_group(chat) else None))

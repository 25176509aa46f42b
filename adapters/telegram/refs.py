"""Telegram users and chats as cassbot refs, and what a member's status means."""

from __future__ import annotations

from telegram import Chat as TgChat
from telegram import ChatMember, ChatMemberAdministrator, ChatMemberRestricted, Message
from telegram import User as TgUser

from cassbot import texts
from cassbot.events import ChatRef, UserRef

CHANNEL = "telegram"
# The rights without which the bot cannot moderate a group.
MODERATION_RIGHTS: tuple[str, ...] = ("can_delete_messages", "can_restrict_members")


def chat_ref(chat: TgChat) -> ChatRef:
    return ChatRef(channel=CHANNEL, chat_id=str(chat.id), private=chat.type == TgChat.PRIVATE)


def user_ref(user: TgUser, bot_id: str, *, phone: str | None = None) -> UserRef:
    # Only cassbot's own account is `is_bot`: other bots in a group are screened like anyone.
    return UserRef(
        channel=CHANNEL,
        user_id=str(user.id),
        display_name=user.full_name or user.username or None,
        phone=phone,
        is_bot=str(user.id) == bot_id,
    )


def sender_ref(message: Message, bot_id: str) -> UserRef | None:
    """Who wrote a message: a person, or the chat it was sent as (anonymous admins, channels)."""
    if message.sender_chat is not None:
        sender = message.sender_chat
        own_chat = sender.id == message.chat.id  # an admin posting anonymously, as the group
        name = texts.TELEGRAM_ANONYMOUS_ADMIN if own_chat else sender.title
        return UserRef(channel=CHANNEL, user_id=str(sender.id), display_name=name)
    if message.from_user is None:
        return None
    return user_ref(message.from_user, bot_id, phone=_own_phone(message))


def _own_phone(message: Message) -> str | None:
    """The phone of a person who shared their own contact (it links their identities)."""
    contact = message.contact
    if contact is None or message.from_user is None or contact.user_id != message.from_user.id:
        return None
    digits = "".join(c for c in contact.phone_number if c.isdigit())
    return f"+{digits}" if digits else None


def is_present(member: ChatMember) -> bool:
    if member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER):
        return True
    return isinstance(member, ChatMemberRestricted) and member.is_member


def is_admin_status(member: ChatMember, *, own: bool = False) -> bool:
    """A group admin; for cassbot's own account, an admin that can also moderate."""
    if member.status == ChatMember.OWNER:
        return True
    if not isinstance(member, ChatMemberAdministrator):
        return False
    return all(getattr(member, right) for right in MODERATION_RIGHTS) if own else True

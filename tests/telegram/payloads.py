"""Bot API JSON objects as Telegram sends them (https://core.telegram.org/bots/api#available-types).

Builders for users, chats, chat members, messages and updates, shared by the fake Bot API and
the normaliser tests. Every object carries the fields the Bot API marks as always present.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
# What a bot made admin gets by default in Telegram's "add admin" screen, minus promoting.
MODERATOR_RIGHTS = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_restrict_members": True,
    "can_invite_users": True,
    "can_pin_messages": True,
    "can_manage_video_chats": True,
}
RESTRICTED_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)


def user(user_id: int, first_name: str, last_name: str | None = None, **extra: Any) -> JSON:
    data: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        data["last_name"] = last_name
    data.update(extra)
    return data


def group_chat(chat_id: int, title: str) -> JSON:
    return {"id": chat_id, "type": "supergroup", "title": title}


def private_chat(person: JSON) -> JSON:
    return {"id": person["id"], "type": "private", "first_name": person["first_name"]}


def member(person: JSON, status: str, **fields: Any) -> JSON:
    """A ChatMember object of any status, with the fields that status requires."""
    data: JSON = {"status": status, "user": person}
    if status == "creator":
        data["is_anonymous"] = fields.get("is_anonymous", False)
    elif status == "administrator":
        data["can_be_edited"] = fields.get("can_be_edited", False)
        data["is_anonymous"] = fields.get("is_anonymous", False)
        for right in ADMIN_RIGHTS:
            data[right] = bool(fields.get(right, False))
    elif status == "restricted":
        data["is_member"] = fields.get("is_member", True)
        data["until_date"] = fields.get("until_date", 0)
        for permission in RESTRICTED_PERMISSIONS:
            data[permission] = bool(fields.get(permission, False))
    elif status == "kicked":
        data["until_date"] = fields.get("until_date", 0)
    return data


def message(
    message_id: int,
    chat: JSON,
    sender: JSON | None,
    date: int,
    text: str | None = None,
    **extra: Any,
) -> JSON:
    data: JSON = {"message_id": message_id, "date": date, "chat": chat}
    if sender is not None:
        data["from"] = sender
    if text is not None:
        data["text"] = text
    data.update(extra)
    return data


def member_updated(chat: JSON, by: JSON, date: int, old: JSON, new: JSON, **extra: Any) -> JSON:
    return {
        "chat": chat,
        "from": by,
        "date": date,
        "old_chat_member": old,
        "new_chat_member": new,
        **extra,
    }

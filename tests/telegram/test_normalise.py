"""Telegram updates → cassbot events, on update payloads written after the Bot API reference."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.telegram.normalise import (
    NotAnUpdate,
    UnreadableUpdate,
    bot_id_from_token,
    normalise_update,
)
from cassbot.events import (
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    RoleChanged,
)
from tests.telegram import payloads as tg

BOT_ID = "7000000001"
BOT = tg.user(int(BOT_ID), "Asistente CASS", is_bot=True, username="cass_jilotepec_bot")
GROUP = tg.group_chat(-1001234567890, "CASS Canalejas")
ANA = tg.user(1001, "Ana", "López", username="analopez")
ADMIN = tg.user(1003, "Karla", "Ramírez")
DATE = 1_796_000_000  # 2026-11-30


def update(update_id: int = 10, **content: Any) -> dict[str, Any]:
    return {"update_id": update_id, **content}


def one(data: dict[str, Any]) -> Any:
    result = normalise_update(data, bot_id=BOT_ID)
    assert len(result.events) == 1, result
    return result.events[0]


def message(text: str | None = "hola", *, sender: dict[str, Any] = ANA, **extra: Any) -> Any:
    return tg.message(55, GROUP, sender, DATE, text, **extra)


# Messages ---------------------------------------------------------------------------------------


def test_a_group_message_becomes_message_posted() -> None:
    event = one(update(message=message("Hay fuga de agua en la calle Hidalgo")))
    assert isinstance(event, MessagePosted)
    assert event.dedupe_key == f"telegram:{BOT_ID}:10:{DATE}"
    assert event.chat.channel == "telegram"
    assert event.chat.chat_id == "-1001234567890"
    assert event.chat.private is False
    assert event.actor is not None
    assert event.actor.user_id == "1001"
    assert event.actor.display_name == "Ana López"
    assert event.actor.is_bot is False
    assert event.message.message_id == "55"
    assert event.text == "Hay fuga de agua en la calle Hidalgo"
    assert event.occurred_at == datetime.fromtimestamp(DATE, UTC)
    assert event.reply_to is None


def test_a_private_message_is_in_a_private_chat() -> None:
    private = tg.message(3, tg.private_chat(ANA), ANA, DATE, "/start")
    event = one(update(message=private))
    assert event.chat.private is True
    assert event.chat.chat_id == "1001"


def test_links_and_mentions_come_from_entities_with_utf16_offsets() -> None:
    text = "🚰 mira https://odapas.mx y @beto o Karla"
    entities = [  # offsets in UTF-16 code units: the emoji counts twice
        {"type": "text_link", "offset": 3, "length": 4, "url": "https://example.org/x"},
        {"type": "url", "offset": 8, "length": 17},
        {"type": "mention", "offset": 28, "length": 5},
        {"type": "text_mention", "offset": 36, "length": 5, "user": ADMIN},
    ]
    event = one(update(message=message(text, entities=entities)))
    assert event.facts.links == ("https://example.org/x", "https://odapas.mx")
    assert event.facts.mentions == ("@beto", "1003")


def test_media_become_attachments_and_captions_become_text() -> None:
    photo = [
        {"file_id": "s", "file_unique_id": "s1", "width": 90, "height": 90, "file_size": 900},
        {"file_id": "l", "file_unique_id": "l1", "width": 800, "height": 600, "file_size": 9000},
    ]
    event = one(update(message=message(None, photo=photo, caption="El bache de la esquina")))
    assert event.text == "El bache de la esquina"
    [image] = event.facts.attachments
    assert (image.kind, image.size) == ("image", 9000)

    voice = {"file_id": "v", "file_unique_id": "v1", "duration": 7, "mime_type": "audio/ogg"}
    event = one(update(message=message(None, voice=voice)))
    assert event.text == ""
    assert event.facts.is_voice_note
    assert event.facts.attachments[0].duration_s == 7

    document = {
        "file_id": "d",
        "file_unique_id": "d1",
        "file_name": "recibo.pdf",
        "mime_type": "application/pdf",
        "file_size": 1234,
    }
    audio = {"file_id": "a", "file_unique_id": "a1", "duration": 60, "file_name": "x.mp3"}
    event = one(update(message=message(None, document=document)))
    assert event.facts.attachments[0].kind == "document"
    assert event.facts.attachments[0].file_name == "recibo.pdf"
    assert one(update(message=message(None, audio=audio))).facts.attachments[0].kind == "audio"


def test_shared_places_become_locations() -> None:
    location = {"latitude": 19.95, "longitude": -99.53}
    [place] = one(update(message=message(None, location=location))).facts.attachments
    assert (place.kind, place.latitude, place.longitude) == ("location", 19.95, -99.53)
    venue = {"location": location, "title": "Jardín Principal", "address": "Centro, Jilotepec"}
    [place] = one(update(message=message(None, venue=venue, location=location))).facts.attachments
    assert place.place == "Jardín Principal, Centro, Jilotepec"


def test_forwarded_messages_are_marked() -> None:
    origin = {"type": "user", "date": DATE - 60, "sender_user": ADMIN}
    assert one(update(message=message("cadena", forward_origin=origin))).facts.forwarded
    assert not one(update(message=message("propio"))).facts.forwarded


def test_a_reply_carries_the_answered_message_and_its_author() -> None:
    answered = tg.message(40, GROUP, BOT, DATE - 5, "⚠️ Advertencia")
    event = one(update(message=message("perdón", reply_to_message=answered)))
    assert event.reply_to.message_id == "40"
    assert event.reply_to_author.user_id == BOT_ID
    assert event.reply_to_author.is_bot is True  # cassbot's own message


def test_a_forum_topics_opening_message_is_not_a_reply() -> None:
    opening = tg.message(
        2,
        GROUP,
        ADMIN,
        DATE - 99,
        None,
        forum_topic_created={"name": "Agua", "icon_color": 7322096},
    )
    event = one(
        update(
            message=message(
                "hola", reply_to_message=opening, is_topic_message=True, message_thread_id=2
            )
        )
    )
    assert event.reply_to is None


def test_other_bots_are_screened_like_people_only_cassbot_is_is_bot() -> None:
    spam_bot = tg.user(5555, "Promo", is_bot=True)
    assert one(update(message=message("compra ya", sender=spam_bot))).actor.is_bot is False
    assert one(update(message=message("aviso", sender=BOT))).actor.is_bot is True


def test_anonymous_admins_post_as_the_group() -> None:
    anonymous = tg.user(1087968824, "Group", is_bot=True, username="GroupAnonymousBot")
    event = one(update(message=message("Mañana no hay agua", sender=anonymous, sender_chat=GROUP)))
    assert event.actor.user_id == "-1001234567890"
    assert event.actor.display_name == "Administración del grupo"


def test_sharing_ones_own_contact_reveals_the_phone() -> None:
    own = {"phone_number": "5217611234567", "first_name": "Ana", "user_id": 1001}
    event = one(update(message=message(None, contact=own)))
    assert event.actor.phone == "+5217611234567"
    assert event.facts.attachments[0].kind == "contact"
    someone_else = {**own, "user_id": 1003}
    assert one(update(message=message(None, contact=someone_else))).actor.phone is None


def test_an_edit_becomes_message_edited_keyed_by_its_own_update() -> None:
    edited = message("Hay fuga (corrijo: calle Morelos)", edit_date=DATE + 30)
    event = one(update(11, edited_message=edited))
    assert isinstance(event, MessageEdited)
    assert event.dedupe_key == f"telegram:{BOT_ID}:11:{DATE + 30}"
    assert event.text.endswith("calle Morelos)")
    assert event.occurred_at == datetime.fromtimestamp(DATE + 30, UTC)


def test_service_messages_give_no_events() -> None:
    joined = normalise_update(
        update(message=message(None, new_chat_members=[ADMIN])), bot_id=BOT_ID
    )
    assert joined.events == ()
    assert "chat_member" in joined.note
    moved = normalise_update(
        update(message=message(None, migrate_to_chat_id=-100555)), bot_id=BOT_ID
    )
    assert moved.events == ()
    assert "-100555" in moved.note
    assert moved.needs_attention


# Keys -------------------------------------------------------------------------------------------


def test_the_same_delivery_gives_the_same_key_and_a_reused_update_id_does_not() -> None:
    first = one(update(77, message=message("uno")))
    again = one(update(77, message=message("uno")))
    assert first.dedupe_key == again.dedupe_key
    # Telegram restarts update ids after a week of silence: an old id with a new time is new.
    later = one(update(77, message=tg.message(90, GROUP, ANA, DATE + 8 * 86400, "otro")))
    assert later.dedupe_key != first.dedupe_key
    assert bot_id_from_token(f"{BOT_ID}:AAF-xyz") == BOT_ID


# Membership ------------------------------------------------------------------------------------


def chat_member(old: dict[str, Any], new: dict[str, Any], by: dict[str, Any], **extra: Any) -> Any:
    return update(20, chat_member=tg.member_updated(GROUP, by, DATE, old, new, **extra))


def test_joining_by_oneself_by_link_or_added_by_an_admin() -> None:
    left, member = tg.member(ANA, "left"), tg.member(ANA, "member")
    event = one(chat_member(left, member, ANA))
    assert isinstance(event, MemberJoined)
    assert event.member.user_id == "1001"
    assert (event.via, event.invite_link) == ("self", None)
    link = {
        "invite_link": "https://t.me/+abc",
        "creator": BOT,
        "creates_join_request": False,
        "is_primary": False,
        "is_revoked": False,
        "member_limit": 1,
    }
    by_link = one(chat_member(left, member, ANA, invite_link=link))
    assert (by_link.via, by_link.invite_link) == ("invite", "https://t.me/+abc")
    assert one(chat_member(left, member, ADMIN)).via == "added"
    assert one(chat_member(left, member, ANA, via_join_request=True)).via == "approved"


def test_leaving_or_being_removed() -> None:
    member = tg.member(ANA, "member")
    left = one(chat_member(member, tg.member(ANA, "left"), ANA))
    assert isinstance(left, MemberLeft)
    assert left.removed_by is None
    kicked = one(chat_member(member, tg.member(ANA, "kicked"), ADMIN))
    assert kicked.removed_by.user_id == "1003"
    by_bot = one(chat_member(member, tg.member(ANA, "kicked"), BOT))
    assert by_bot.removed_by.is_bot is True


def test_promotions_and_demotions_change_roles() -> None:
    member, admin = (
        tg.member(ANA, "member"),
        tg.member(ANA, "administrator", can_pin_messages=True),
    )
    promoted = one(chat_member(member, admin, ADMIN))
    assert isinstance(promoted, RoleChanged)
    assert promoted.admin is True
    assert one(chat_member(admin, member, ADMIN)).admin is False


def test_joining_as_an_admin_gives_two_events_with_distinct_keys() -> None:
    result = normalise_update(
        chat_member(tg.member(ANA, "left"), tg.member(ANA, "administrator"), ADMIN), bot_id=BOT_ID
    )
    joined, role = result.events
    assert isinstance(joined, MemberJoined)
    assert isinstance(role, RoleChanged)
    assert role.dedupe_key == joined.dedupe_key + ":2"


def test_changes_that_do_not_matter_give_no_events() -> None:
    # Unbanned after a removal (kicked → left), or muted while staying in the group.
    unbanned = chat_member(tg.member(ANA, "kicked"), tg.member(ANA, "left"), BOT)
    assert normalise_update(unbanned, bot_id=BOT_ID).events == ()
    muted = chat_member(
        tg.member(ANA, "member"), tg.member(ANA, "restricted", is_member=True), BOT
    )
    assert normalise_update(muted, bot_id=BOT_ID).events == ()
    left_muted = chat_member(
        tg.member(ANA, "restricted", is_member=True),
        tg.member(ANA, "restricted", is_member=False),
        ANA,
    )
    assert isinstance(one(left_muted), MemberLeft)


def test_the_bots_own_status_marks_the_bot() -> None:
    def mine(old: dict[str, Any], new: dict[str, Any]) -> Any:
        return normalise_update(
            update(30, my_chat_member=tg.member_updated(GROUP, ADMIN, DATE, old, new)),
            bot_id=BOT_ID,
        )

    added = mine(tg.member(BOT, "left"), tg.member(BOT, "member"))
    assert added.about_bot_status
    [joined] = added.events
    assert isinstance(joined, MemberJoined)
    assert joined.member.is_bot is True
    moderator = tg.member(
        BOT, "administrator", can_delete_messages=True, can_restrict_members=True
    )
    [role] = mine(tg.member(BOT, "member"), moderator).events
    assert role.admin is True
    # An admin that cannot delete or ban cannot moderate: for the bot that is not "admin".
    powerless = tg.member(BOT, "administrator", can_pin_messages=True)
    [role] = mine(moderator, powerless).events
    assert role.admin is False
    [removed] = mine(moderator, tg.member(BOT, "kicked")).events
    assert isinstance(removed, MemberLeft)
    assert removed.member.is_bot


def test_a_person_blocking_the_bot_is_not_a_group_event() -> None:
    blocked = tg.member_updated(
        tg.private_chat(ANA), ANA, DATE, tg.member(BOT, "member"), tg.member(BOT, "kicked")
    )
    assert normalise_update(update(my_chat_member=blocked), bot_id=BOT_ID).events == ()


def test_a_join_request() -> None:
    request = {"chat": GROUP, "from": ANA, "user_chat_id": 1001, "date": DATE}
    event = one(update(chat_join_request=request))
    assert isinstance(event, JoinRequested)
    assert event.member.user_id == "1001"
    assert event.actor == event.member
    assert event.invite_link is None  # asked through the group's public link or its page
    link = {
        "invite_link": "https://t.me/+pide-entrar",
        "creator": BOT,
        "creates_join_request": True,
        "is_primary": False,
        "is_revoked": False,
    }
    with_link = one(update(chat_join_request={**request, "invite_link": link}))
    assert with_link.invite_link == "https://t.me/+pide-entrar"


# Bad input ---------------------------------------------------------------------------------------


def test_unknown_update_kinds_are_acknowledged_without_events() -> None:
    poll = {
        "id": "p",
        "question": "¿?",
        "options": [],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    result = normalise_update(update(poll=poll), bot_id=BOT_ID)
    assert result.events == ()
    assert result.kind == "poll"


@pytest.mark.parametrize("payload", [[], "x", {}, {"update_id": "10"}, {"update_id": True}])
def test_what_is_not_an_update_is_refused(payload: Any) -> None:
    with pytest.raises(NotAnUpdate):
        normalise_update(payload, bot_id=BOT_ID)


def test_an_update_with_a_malformed_part_is_unreadable() -> None:
    broken = update(message={"message_id": 1, "date": DATE})  # no chat
    with pytest.raises(UnreadableUpdate, match="update 10 \\(message\\) could not be read"):
        normalise_update(broken, bot_id=BOT_ID)


def test_a_message_with_a_part_ptb_refuses_is_still_read() -> None:
    # A poll missing a field this PTB version requires must not cost us the message's text.
    poll = {"id": "p", "question": "¿Votamos?", "options": [], "total_voter_count": 0}
    result = normalise_update(update(message=message("Voten aquí", poll=poll)), bot_id=BOT_ID)
    [event] = result.events
    assert event.text == "Voten aquí"
    assert "read without the parts PTB refused" in result.note

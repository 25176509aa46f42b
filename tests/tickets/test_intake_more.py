"""More ways in: voice notes, /reporte in private, /ticket by an official, emergencies, and
messages that moderation deletes (a test-only stand-in policy plays moderation's part)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.events import Attachment, ChatRef, MessageFacts, MessagePosted, MessageRef, UserRef
from cassbot.storage.db import Database
from cassbot.storage.migrate import upgrade
from cassbot.storage.models import Ticket
from cassbot.tickets.folio import find_folio, next_folio
from tests.helpers import settle
from tests.tickets.conftest import chat_texts


def voice_note(chat_id: str, user: str, n: int, text: str = "") -> MessagePosted:
    chat = ChatRef(channel="local", chat_id=chat_id, private=chat_id.startswith("dm-"))
    return MessagePosted(
        dedupe_key=f"local:test:voice:{n}",
        chat=chat,
        actor=UserRef(channel="local", user_id=user, display_name=user),
        occurred_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
        message=MessageRef(chat=chat, message_id=f"voice-{n}"),
        text=text,
        facts=MessageFacts(
            attachments=(
                Attachment(
                    kind="voice",
                    mime_type="audio/ogg",
                    url="http://127.0.0.1/media/v.ogg",
                    duration_s=12.5,
                ),
            )
        ),
    )


async def tickets(bot: CassBot) -> list[Ticket]:
    async with bot.db.read() as session:
        return list((await session.execute(select(Ticket).order_by(Ticket.id))).scalars())


async def test_a_voice_note_sent_with_reporte_becomes_a_ticket_with_its_audio(
    ticket_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())
    await bot.ingress.submit(voice_note("canalejas", "vecina-lupita", 1, text="/reporte"))
    await bot.ingress.submit(voice_note("canalejas", "vecino-beto", 2))  # no /reporte: chatter
    await settle(bot)
    [ticket] = await tickets(bot)
    assert (ticket.category, ticket.department) == ("otro", "presidencia")  # triage
    assert ticket.text == "(Nota de voz)"
    assert ticket.media == [
        {
            "kind": "voice",
            "mime_type": "audio/ogg",
            "url": "http://127.0.0.1/media/v.ogg",
            "duration_s": 12.5,
            "message_id": "voice-1",
            "chat": "local:canalejas",
        }
    ]
    assert any("JIL-2026-000001" in t for t in await chat_texts(bot, "dm-oficial-presidencia"))


async def test_an_official_turns_a_voice_note_into_a_ticket_with_ticket(
    ticket_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())
    local = bot.adapters.get("local")
    await bot.ingress.submit(voice_note("canalejas", "vecino-beto", 3))
    await settle(bot)
    await local.post("canalejas", "oficial-servicios", "/ticket bache", reply_to="voice-3")
    await local.post("canalejas", "vecina-karla", "/ticket", reply_to="voice-3")
    await settle(bot)
    [ticket] = await tickets(bot)
    assert (ticket.category, ticket.department, ticket.origin) == ("bache", "servicios", "ticket")
    assert ticket.requester_name == "vecino-beto"
    assert ticket.opened_by == "Servicios Públicos"
    assert ticket.media[0]["kind"] == "voice"
    group = await chat_texts(bot, "canalejas")
    assert any("JIL-2026-000001" in t and "Servicios Públicos" in t for t in group)
    assert any("solo para funcionarios" in t for t in group)  # Karla is a neighbour
    # Replying /ticket again with another category re-routes it.
    await local.post("canalejas", "oficial-gd", "/ticket fuga", reply_to="voice-3")
    await settle(bot)
    [ticket] = await tickets(bot)
    assert (ticket.category, ticket.department) == ("fuga", "agua")
    assert any("turnado" in t for t in await chat_texts(bot, "dm-oficial-odapas"))


async def test_reporte_in_private_uses_the_persons_community_or_asks(
    ticket_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())
    local = bot.adapters.get("local")
    await local.post("canalejas", "vecina-lupita", "Buenos días a todos")
    await settle(bot)
    await local.post("dm-vecina-lupita", "vecina-lupita", "/reporte la lámpara de mi calle")
    await settle(bot)
    [ticket] = await tickets(bot)
    assert (ticket.community_id, ticket.category, ticket.origin) == (
        "canalejas",
        "luminaria",
        "privado",
    )
    assert ticket.group_id is None
    assert any("JIL-2026-000001" in t for t in await chat_texts(bot, "dm-vecina-lupita"))
    assert await chat_texts(bot, "canalejas") == []  # filed in private: answered in private
    # In two communities: the bot asks which one, and the community name settles it.
    await local.post("coscomate", "vecina-lupita", "Hola vecinos")
    await settle(bot)
    await local.post("dm-vecina-lupita", "vecina-lupita", "/reporte hay un bache enorme")
    await settle(bot)
    assert len(await tickets(bot)) == 1
    assert "Estás en varios grupos" in (await chat_texts(bot, "dm-vecina-lupita"))[-1]
    await local.post("dm-vecina-lupita", "vecina-lupita", "/reporte coscomate hay un bache enorme")
    await settle(bot)
    assert [(t.community_id, t.category) for t in await tickets(bot)][-1] == ("coscomate", "bache")


async def test_a_fire_gets_the_911_guidance_at_once(ticket_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())
    local = bot.adapters.get("local")
    await local.post(
        "canalejas", "vecino-beto", "Hay un incendio en el cerro detrás de la secundaria!!"
    )
    await settle(bot)
    [ticket] = await tickets(bot)
    assert ticket.emergency
    assert ticket.department == "proteccion_civil"
    [answer] = await chat_texts(bot, "canalejas")
    assert answer.startswith("🚨")
    assert "911" in answer
    [notice] = await chat_texts(bot, "dm-oficial-pc")
    assert notice.startswith("🚨 URGENTE")


async def test_a_message_moderation_deletes_opens_no_ticket_but_says_how_to_report(
    ticket_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())  # the real moderation and tickets
    local = bot.adapters.get("local")
    await local.post(
        "canalejas",
        "vecino-beto",
        "ya arreglen la fuga de agua de la calle Hidalgo, son unos pendejos",
    )
    await local.post("canalejas", "vecina-lupita", "hay una fuga de agua en la calle Juárez")
    await settle(bot)
    assert [t.requester_name for t in await tickets(bot)] == ["Lupita Martínez"]
    private = await chat_texts(bot, "dm-vecino-beto")
    assert any("vuelve a escribirlo con respeto o usa /reporte" in t for t in private)


def test_folios_are_found_in_what_people_type() -> None:
    assert find_folio("/recibido jil-2026-45 ya vamos") == "JIL-2026-000045"
    assert find_folio("sin folio") is None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_concurrent_folios_are_unique_and_consecutive_on_postgresql(db_url) -> None:  # type: ignore[no-untyped-def]
    database = Database(db_url)
    await upgrade(database)

    async def one() -> str:
        async with database.transaction() as session:
            folio = await next_folio(session, "JIL", 2026)
            await asyncio.sleep(0.01)  # hold the row lock a little, as a real ticket would
            return folio

    try:
        folios = await asyncio.gather(*(one() for _ in range(25)))
    finally:
        await database.close()
    assert sorted(folios) == [f"JIL-2026-{n:06d}" for n in range(1, 26)]

"""Announcements reach every group once, even across a restart, with delivery status per group."""

from __future__ import annotations

from sqlalchemy import select

from cassbot.clock import ManualClock
from cassbot.storage.models import Announcement, AnnouncementDelivery, OutboxAction
from cassbot.tickets.announcements import Announcements
from tests.helpers import settle
from tests.tickets.conftest import chat_texts

THREE_GROUPS = {
    "communities": [
        {
            "id": "canalejas",
            "name": "Villa de Canalejas",
            "groups": [
                {"channel": "local", "chat_id": "canalejas"},
                {"channel": "local", "chat_id": "canalejas-2"},
            ],
        },
        {
            "id": "coscomate",
            "name": "Coscomate del Progreso",
            "groups": [{"channel": "local", "chat_id": "coscomate"}],
        },
    ]
}


async def deliveries(bot):  # type: ignore[no-untyped-def]
    async with bot.db.read() as session:
        return (
            await session.execute(
                select(AnnouncementDelivery.outbox_key, AnnouncementDelivery.status).order_by(
                    AnnouncementDelivery.id
                )
            )
        ).all()


async def test_a_scheduled_announcement_reaches_every_group_once_across_a_restart(
    ticket_settings, make_bot, db_url
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()  # 2026-12-01 15:00 UTC = 09:00 in Jilotepec
    settings = ticket_settings(database={"url": db_url}, **THREE_GROUPS)
    bot = await make_bot(settings, clock=clock)
    local = bot.adapters.get("local")
    await local.post(
        "dm-oficial-gd",
        "oficial-gd",
        "/aviso --a las 2026-12-01 10:00 todas Mañana no habrá agua de 9 a 14 h.",
    )
    await settle(bot)
    assert "programado para el 01/12/2026 10:00" in (await chat_texts(bot, "dm-oficial-gd"))[-1]
    clock.advance(3600)
    await bot.scheduler.run_due()  # the fan-out is queued…
    await bot.stop()  # …and the bot stops before (or while) the outbox sends it
    bot = await make_bot(settings, clock=clock)
    await settle(bot)
    # Whatever the first run got through, running the fan-out again sends nothing twice.
    async with bot.db.transaction() as session:
        item = (await session.execute(select(Announcement))).scalar_one()
        await Announcements(bot).fan_out(session, item, clock.now())
    await settle(bot)
    for chat in ("canalejas", "canalejas-2", "coscomate"):
        texts = await chat_texts(bot, chat)
        assert texts == ["📣 *Aviso de Gobierno Digital*\nMañana no habrá agua de 9 a 14 h."]
    assert [status for _, status in await deliveries(bot)] == ["entregado"] * 3
    async with bot.db.read() as session:
        keys = (
            (
                await session.execute(
                    select(OutboxAction.idempotency_key).where(
                        OutboxAction.purpose == "announcement"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(keys) == [
        "announcement:1:local:canalejas",
        "announcement:1:local:canalejas-2",
        "announcement:1:local:coscomate",
    ]
    await bot.adapters.get("local").post("dm-oficial-gd", "oficial-gd", "/avisos")
    await settle(bot)
    assert "entregado en 3/3 grupo(s)" in (await chat_texts(bot, "dm-oficial-gd"))[-1]


async def test_announcements_are_for_officials_and_checked(ticket_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())
    local = bot.adapters.get("local")
    await local.post("dm-vecino-beto", "vecino-beto", "/aviso todas hola")
    await local.post("dm-enlace-odapas", "enlace-odapas", "/aviso coscomate corte de agua")
    await local.post("dm-enlace-odapas", "enlace-odapas", "/aviso marte corte de agua")
    await local.post(
        "dm-enlace-odapas", "enlace-odapas", "/aviso --a las 2020-01-01 10:00 todas x"
    )
    await local.post("dm-enlace-odapas", "enlace-odapas", "/aviso canalejas")
    await settle(bot)
    assert "solo para funcionarios" in (await chat_texts(bot, "dm-vecino-beto"))[0]
    replies = await chat_texts(bot, "dm-enlace-odapas")
    assert "No tienes a tu cargo la comunidad «Coscomate del Progreso»" in replies[0]
    assert "No conozco la comunidad «marte»" in replies[1]
    assert "Esa hora ya pasó" in replies[2]
    assert "Escribe el texto del aviso" in replies[3]
    # "todas" for an enlace means the communities they cover.
    await local.post("dm-enlace-odapas", "enlace-odapas", "/aviso todas Corte de agua el lunes")
    await settle(bot)
    assert await chat_texts(bot, "coscomate") == []
    assert await chat_texts(bot, "canalejas") == [
        "📣 *Aviso de ODAPAS (agua potable)*\nCorte de agua el lunes"
    ]

"""End to end through the playground: a request becomes a ticket, officials act on it,
the requester hears of every change, duplicates link, and the clocks remind and escalate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cassbot.clock import ManualClock
from cassbot.storage.models import Ticket, TicketEvent, TicketSubscriber, Timer
from tests.helpers import settle
from tests.tickets.conftest import bot_message_id, chat_texts


async def ticket_rows(bot):  # type: ignore[no-untyped-def]
    async with bot.db.read() as session:
        return (await session.execute(select(Ticket).order_by(Ticket.id))).scalars().all()


async def events_of(bot, ticket_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with bot.db.read() as session:
        return list(
            (
                await session.execute(
                    select(TicketEvent.kind)
                    .where(TicketEvent.ticket_id == ticket_id)
                    .order_by(TicketEvent.id)
                )
            ).scalars()
        )


async def test_a_water_complaint_becomes_a_ticket_routed_to_odapas(
    ticket_settings, make_bot, db_url
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(ticket_settings(database={"url": db_url}), clock=clock)
    local = bot.adapters.get("local")
    await local.post(
        "canalejas",
        "vecina-lupita",
        "Buenas tardes, hay una fuga de agua en la calle Hidalgo esquina con Morelos",
    )
    await settle(bot)

    [ticket] = await ticket_rows(bot)
    assert ticket.folio == "JIL-2026-000001"
    assert (ticket.department, ticket.category, ticket.status) == ("agua", "fuga", "nuevo")
    assert ticket.place == "calle Hidalgo esquina con Morelos"
    assert ticket.community_id == "canalejas"
    assert ticket.origin == "auto"
    assert ticket.ack_due_at == clock.now() + timedelta(seconds=100)
    group = await chat_texts(bot, "canalejas")
    assert len(group) == 1
    assert "JIL-2026-000001" in group[0]
    assert "ODAPAS (agua potable)" in group[0]
    assert "Lupita" not in group[0]
    assert "911" not in group[0]
    # ODAPAS' officials for Canalejas got it in private; other areas did not.
    for persona in ("enlace-odapas", "oficial-odapas"):
        [notice] = await chat_texts(bot, f"dm-{persona}")
        assert "Nuevo reporte JIL-2026-000001" in notice
        assert "Lupita Martínez" in notice
    assert await chat_texts(bot, "dm-oficial-servicios") == []

    # The enlace acknowledges by replying to the bot's message in the group (no folio typed).
    ack_id = await bot_message_id(bot, "canalejas", "JIL-2026-000001")
    await local.post("canalejas", "enlace-odapas", "/recibido", reply_to=ack_id)
    await settle(bot)
    [ticket] = await ticket_rows(bot)
    assert ticket.status == "recibido"
    assert ticket.acknowledged_at == clock.now()
    told = await chat_texts(bot, "dm-vecina-lupita")
    assert len(told) == 1
    assert "Recibido por el área" in told[0]
    async with bot.db.read() as session:
        pending = (
            (
                await session.execute(
                    select(Timer.key).where(Timer.status == "pending", Timer.kind == "ticket_ack")
                )
            )
            .scalars()
            .all()
        )
    assert pending == []  # the acknowledgement clock stopped

    # Resolved, the neighbour says it is not: the ticket reopens and ODAPAS hears it.
    await local.post(
        "dm-oficial-odapas",
        "oficial-odapas",
        "/resuelto JIL-2026-000001 Se cambió el tramo de tubería",
    )
    await settle(bot)
    question = await bot_message_id(bot, "dm-vecina-lupita", "¿Se resolvió?")
    await local.post("dm-vecina-lupita", "vecina-lupita", "No", reply_to=question)
    await settle(bot)
    [ticket] = await ticket_rows(bot)
    assert ticket.status == "reabierto"
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None
    assert any("NO se resolvió" in t for t in await chat_texts(bot, "dm-oficial-odapas"))
    # Second time it is fixed: "sí" closes it.
    await local.post("canalejas", "enlace-odapas", "/resuelto JIL-2026-000001 Listo")
    await settle(bot)
    await local.post("dm-vecina-lupita", "vecina-lupita", "/si JIL-2026-000001")
    await settle(bot)
    [ticket] = await ticket_rows(bot)
    assert ticket.status == "cerrado"
    assert ticket.closed_at is not None
    assert await events_of(bot, ticket.id) == [
        "opened",
        "status_changed",
        "status_changed",
        "reopened",
        "status_changed",
        "confirmed",
    ]


async def test_officials_of_other_areas_and_neighbours_are_refused(
    ticket_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())
    local = bot.adapters.get("local")
    await local.post("canalejas", "vecina-lupita", "No hay agua en la calle Morelos desde ayer")
    await settle(bot)
    await local.post("dm-oficial-servicios", "oficial-servicios", "/recibido jil-2026-1")
    await local.post("dm-vecino-beto", "vecino-beto", "/recibido JIL-2026-000001")
    await local.post("dm-vecino-beto", "vecino-beto", "/folio JIL-2026-000001")
    await local.post("dm-oficial-odapas", "oficial-odapas", "/rechazar JIL-2026-000001")
    await local.post("dm-oficial-odapas", "oficial-odapas", "/recibido JIL-2026-000099")
    await settle(bot)
    [ticket] = await ticket_rows(bot)
    assert ticket.status == "nuevo"
    servicios = await chat_texts(bot, "dm-oficial-servicios")
    assert "a cargo de ODAPAS (agua potable)" in servicios[-1]
    beto = await chat_texts(bot, "dm-vecino-beto")
    assert "solo para funcionarios y administradores" in beto[0]
    assert "Solo puedes consultar" in beto[1]
    odapas = await chat_texts(bot, "dm-oficial-odapas")
    assert any("Escribe el motivo" in t for t in odapas)
    assert any("No encuentro el folio JIL-2026-000099" in t for t in odapas)
    # Presidencia may act on any área's ticket.
    await local.post(
        "dm-oficial-presidencia", "oficial-presidencia", "/atendiendo JIL-2026-000001"
    )
    await settle(bot)
    [ticket] = await ticket_rows(bot)
    assert ticket.status == "en_atencion"
    assert ticket.acknowledged_at is not None


async def test_a_second_report_of_the_same_problem_links_to_the_open_ticket(
    ticket_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(ticket_settings())
    local = bot.adapters.get("local")
    await local.post("canalejas", "vecina-lupita", "Hay una fuga de agua en la calle Hidalgo")
    await settle(bot)
    await local.post(
        "canalejas", "vecino-beto", "Sigue la fuga en calle Hidalgo, ya es un rio, urge por favor"
    )
    await local.post("canalejas", "vecino-beto", "la fuga de Hidalgo sigue igual, urge!!")
    await local.post("coscomate", "vecina-karla", "hay una fuga de agua en la calle Hidalgo")
    await settle(bot)
    tickets = await ticket_rows(bot)
    assert [(t.folio, t.community_id) for t in tickets] == [
        ("JIL-2026-000001", "canalejas"),
        ("JIL-2026-000002", "coscomate"),
    ]
    first = tickets[0]
    assert first.affected_count == 2
    group = await chat_texts(bot, "canalejas")
    # One answer to Beto (his repeat gets none), naming the existing folio.
    assert len(group) == 2
    assert "Ya hay un reporte de esto: folio *JIL-2026-000001*" in group[1]
    async with bot.db.read() as session:
        subscribers = (
            await session.execute(
                select(TicketSubscriber.user_id, TicketSubscriber.role)
                .where(TicketSubscriber.ticket_id == first.id)
                .order_by(TicketSubscriber.id)
            )
        ).all()
    assert subscribers == [("vecina-lupita", "requester"), ("vecino-beto", "reporter")]
    # Beto hears of changes too.
    await local.post("dm-oficial-odapas", "oficial-odapas", "/atendiendo JIL-2026-000001")
    await settle(bot)
    assert any("En atención" in t for t in await chat_texts(bot, "dm-vecino-beto"))
    assert any("En atención" in t for t in await chat_texts(bot, "dm-vecina-lupita"))


async def test_an_unacknowledged_ticket_reminds_then_escalates_along_the_chain(
    ticket_settings, make_bot, db_url
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    settings = ticket_settings(database={"url": db_url})
    bot = await make_bot(settings, clock=clock)
    local = bot.adapters.get("local")
    await local.post("canalejas", "vecina-lupita", "No hay agua en el barrio desde ayer, urge")
    await settle(bot)
    [ticket] = await ticket_rows(bot)

    async def step(seconds: float) -> None:
        clock.advance(seconds)
        await bot.scheduler.run_due()
        await settle(bot)

    await step(9)
    assert await events_of(bot, ticket.id) == ["opened"]
    await step(2)  # t = 11 s: reminder to the enlace only
    enlace = await chat_texts(bot, "dm-enlace-odapas")
    assert len(enlace) == 2
    assert "Recordatorio" in enlace[1]
    assert not any("Recordatorio" in t for t in await chat_texts(bot, "dm-oficial-odapas"))
    await step(20)  # t = 31 s: the director
    assert any("Escalamiento" in t for t in await chat_texts(bot, "dm-oficial-odapas"))
    assert await chat_texts(bot, "dm-oficial-presidencia") == []
    await step(30)  # t = 61 s: Presidencia
    assert any("Escalamiento" in t for t in await chat_texts(bot, "dm-oficial-presidencia"))
    assert await events_of(bot, ticket.id) == ["opened", "reminder", "escalated", "escalated"]

    # The bot restarts before the deadline: the clock is in the database, not in memory.
    await bot.stop()
    bot = await make_bot(settings, clock=clock)
    await step(40)  # t = 101 s: breach; the neighbour is told honestly
    [ticket] = await ticket_rows(bot)
    assert ticket.ack_breached
    assert ticket.escalation_level == 3
    assert any("venció el plazo" in t for t in await chat_texts(bot, "dm-vecina-lupita"))
    await step(50)  # the breach reminder repeats until someone acknowledges
    assert (await events_of(bot, ticket.id))[-2:] == ["ack_breach", "breach_reminder"]
    local = bot.adapters.get("local")
    await local.post("dm-enlace-odapas", "enlace-odapas", "/recibido JIL-2026-000001")
    await settle(bot)
    await step(500)
    kinds = await events_of(bot, ticket.id)
    assert kinds.count("breach_reminder") == 1  # stopped by the acknowledgement
    assert kinds[-1] == "overdue"  # the resolution clock still runs (target 500 s)

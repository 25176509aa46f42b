"""Retention, erasure and export reach tickets, moderation cases, audit quotes and the
messages the bot sent, while /transparencia and Open311 keep counting the same tickets.

Driven through the playground with the real features: Lupita reports a leak (a ticket; the
water officials get her words and name), threatens someone (a moderation case; Seguridad gets
the quote), confirms the leak was fixed (closed ticket); Beto's pothole stays open.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.clock import ManualClock
from cassbot.registration.common import Actor
from cassbot.registration.person_data import erase_person, export_person
from cassbot.registration.privacy import ERASED, sweep
from cassbot.registration.requests import NewRequest, approve, submit_request
from cassbot.storage.models import (
    AuditEntry,
    InboundEvent,
    ModerationCase,
    OutboxAction,
    Ticket,
    TicketEvent,
    TicketSubscriber,
)
from tests.helpers import settle
from tests.tickets.conftest import FAST_CLOCKS
from tests.tickets.conftest import OFFICIALS as TICKET_OFFICIALS

LEAK = "Hay una fuga de agua en la calle Hidalgo 12, soy Lupita, mi cel 761 123 4567"
THREAT = "te voy a partir la madre"
POTHOLE = "Hay un bache enorme en la calle Morelos, urge"
SECRETS = ("Hidalgo 12", "761 123 4567", "partir la madre", "Lupita")
OFFICIALS = [
    *TICKET_OFFICIALS,
    {
        "name": "Seguridad Ciudadana",
        "department": "seguridad",
        "role": "director",
        "communities": ["*"],
        "local": "oficial-seguridad",
    },
]


@pytest.fixture
async def lived(db_url, make_settings, make_bot) -> tuple[CassBot, ManualClock]:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    settings = make_settings(
        officials=OFFICIALS,
        tickets=FAST_CLOCKS,
        privacy={"message_text_days": 30},
        database={"url": db_url},
    )
    bot = await make_bot(settings, clock=clock)
    # Registered and approved: the bot added her, so her number is linked to her identity.
    async with bot.db.transaction() as session:
        request = await submit_request(
            bot,
            session,
            NewRequest(
                full_name="Lupita Martínez", phone="+527615550101", community_id="canalejas"
            ),
            clock.now(),
        )
        await approve(bot, session, request, Actor("Gobierno Digital"), clock.now())
    await settle(bot)
    local = bot.adapters.get("local")
    await local.post("canalejas", "vecina-lupita", LEAK)
    await settle(bot)
    await local.post("canalejas", "vecino-beto", POTHOLE)
    await settle(bot)
    await local.post("canalejas", "vecina-lupita", THREAT)
    await settle(bot)
    await local.post("dm-oficial-odapas", "oficial-odapas", "/resuelto JIL-2026-000001 Listo")
    await settle(bot)
    await local.post("dm-vecina-lupita", "vecina-lupita", "/si JIL-2026-000001")
    await settle(bot)
    leak, pothole = await rows(bot, Ticket)
    assert (leak.status, pothole.status) == ("cerrado", "nuevo")
    assert "Lupita" in (leak.requester_name or "")
    [case] = await rows(bot, ModerationCase)
    assert case.text == THREAT
    # The officials' notices quote her (what retention and erasure must reach).
    sent = json.dumps([r.payload for r in await rows(bot, OutboxAction)], ensure_ascii=False)
    assert "Hidalgo 12" in sent and "partir la madre" in sent and "Lupita Martínez" in sent
    return bot, clock


async def rows(bot: CassBot, model: Any, *where: Any) -> list[Any]:
    async with bot.db.read() as session:
        return list(
            (await session.execute(select(model).where(*where).order_by(model.id))).scalars()
        )


async def public(bot: CassBot) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    base = f"http://127.0.0.1:{bot.port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/api/v1/stats") as response:
            assert response.status == 200
            stats = await response.json()
        async with http.get(f"{base}/open311/v2/requests.json") as response:
            assert response.status == 200
            requests = {r["service_request_id"]: r for r in await response.json()}
    return stats, requests


def counted(stats: dict[str, Any]) -> Any:
    return (stats["totals"], stats["acknowledgement"], stats["by_month_department"])


async def test_retention_reaches_tickets_cases_quotes_and_sent_messages(lived) -> None:  # type: ignore[no-untyped-def]
    bot, clock = lived
    clock.advance(timedelta(days=31))
    stats_before, open311_before = await public(bot)  # figures depend on the time: same now
    counts = await sweep(bot, clock.now())
    assert counts["tickets"] == 1  # only the closed one; the open pothole keeps its words
    assert counts["moderation_cases"] == 1
    assert counts["audit_quotes"] >= 1
    assert counts["sent_texts"] > 0

    leak, pothole = await rows(bot, Ticket)
    assert (leak.text, leak.requester_name, leak.source_message_id) == ("", None, None)
    assert leak.place and "Hidalgo" in leak.place  # the place as published (redacted) stays
    assert (leak.status, leak.category, leak.folio) == ("cerrado", "fuga", "JIL-2026-000001")
    assert pothole.text == POTHOLE
    history = await rows(bot, TicketEvent, TicketEvent.ticket_id == leak.id)
    members = [e.actor_name for e in history if e.actor_kind == "member"]
    assert members and set(members) == {ERASED}
    for subscriber in await rows(bot, TicketSubscriber, TicketSubscriber.ticket_id == leak.id):
        assert subscriber.display_name is None
    [case] = await rows(bot, ModerationCase)
    assert case.text is None
    assert "text" not in case.report
    assert all("quote" not in m for m in case.report.get("matches", []))
    assert case.category == "threat"  # what happened stays
    for entry in await rows(bot, AuditEntry):
        assert entry.detail.get("quote") is None
    for row in await rows(bot, OutboxAction):
        dumped = json.dumps(row.payload, ensure_ascii=False)
        assert not [s for s in SECRETS if s in dumped], (row.purpose, dumped)
    for event in await rows(bot, InboundEvent, InboundEvent.kind == "message.posted"):
        assert event.payload["text"] == ""
    # Nothing the public sees changed in number, and it still lists both tickets.
    stats_after, open311_after = await public(bot)
    assert counted(stats_after) == counted(stats_before)
    assert set(open311_after) == set(open311_before)
    water = open311_after["JIL-2026-000001"]
    assert (water["status"], water["service_code"]) == ("closed", "odapas-fuga")
    # A second sweep finds nothing left to do.
    again = await sweep(bot, clock.now())
    assert again["tickets"] == again["moderation_cases"] == again["sent_texts"] == 0


async def test_erasure_and_export_reach_tickets_and_cases(lived) -> None:  # type: ignore[no-untyped-def]
    bot, _ = lived
    exported = await export_person(bot, "761 555 0101")
    [asked] = exported["service_requests"]
    assert (asked["folio"], asked["text"], asked["status"]) == ("JIL-2026-000001", LEAK, "cerrado")
    assert any(s["folio"] == "JIL-2026-000001" for s in exported["service_requests_followed"])
    [case] = exported["moderation_cases"]
    assert (case["category"], case["text"]) == ("threat", THREAT)
    assert any(a.get("quote") for a in exported["audit"])

    stats_before, _ = await public(bot)
    counts = await erase_person(bot, "761 555 0101", Actor("Gobierno Digital"))
    assert counts["tickets"] == 1
    assert counts["moderation_cases"] == 1
    assert counts["outbox_texts"] > 0

    leak, pothole = await rows(bot, Ticket)
    assert (leak.text, leak.description_public, leak.place, leak.requester_name) == (
        "",
        "",
        None,
        None,
    )
    assert (leak.latitude, leak.longitude) == (None, None)
    assert pothole.text == POTHOLE  # Beto's report is not hers
    history = await rows(bot, TicketEvent, TicketEvent.ticket_id == leak.id)
    assert "Lupita" not in json.dumps([e.actor_name for e in history], ensure_ascii=False)
    [case_row] = await rows(bot, ModerationCase)
    assert case_row.text is None and "text" not in case_row.report
    for entry in await rows(bot, AuditEntry):
        dumped = json.dumps(entry.detail, ensure_ascii=False) + entry.actor_name
        assert not [s for s in SECRETS if s in dumped], (entry.action, dumped)
    for row in await rows(bot, OutboxAction):
        dumped = json.dumps(row.payload, ensure_ascii=False)
        assert not [s for s in SECRETS if s in dumped], (row.purpose, dumped)
    # The aggregates are untouched; Open311 still lists the ticket, without her words.
    stats_after, open311 = await public(bot)
    assert counted(stats_after) == counted(stats_before)
    water = open311["JIL-2026-000001"]
    assert water["status"] == "closed"
    assert water.get("description") is None
    assert "Hidalgo" not in json.dumps(water, ensure_ascii=False)
    after = await export_person(bot, "761 555 0101")
    assert after["persons"] == [] and after["service_requests"] == []


async def test_the_privacy_notice_states_what_retention_enforces(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings(privacy={"message_text_days": 45, "closed_item_days": 200}))
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{bot.port}/privacidad") as response,
    ):
        assert response.status == 200
        page = " ".join((await response.text()).split())
    assert "Lo que escribes en los grupos o al asistente: 45 días" in page
    assert "casos de moderación" in page
    assert "reportes de servicios" in page and "45 días después de cerrarse" in page
    assert "ya resueltas: 200 días" in page
    assert "clave de consulta" in page

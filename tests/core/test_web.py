"""The web app: health, readiness, metrics, and clear answers to bad requests."""

from __future__ import annotations

import aiohttp


async def test_health_readiness_and_metrics(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings())
    base = f"http://127.0.0.1:{bot.port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok"}
        async with http.get(f"{base}/readyz") as response:
            body = await response.json()
            assert response.status == 200
            assert body["database"] is True and body["adapters"]["local"]["ready"] is True
        async with http.post(
            f"{base}/playground/api/messages",
            json={"chat": "canalejas", "persona": "vecina-lupita", "text": "buenos días"},
        ) as response:
            assert response.status == 202
        async with http.get(f"{base}/metrics") as response:
            text = await response.text()
            assert 'cassbot_events_received_total{channel="local"}' in text
        async with http.get(f"{base}/") as response:
            page = await response.text()
            assert response.status == 200
            assert "Grupos CASS de Jilotepec" in page and 'href="/registro"' in page
            assert 'href="/playground"' in page


async def test_readiness_fails_when_the_database_is_unreachable(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    from cassbot.storage.db import Database

    bot = await make_bot(make_settings())
    healthy = bot.db
    bot.db = Database("postgresql+asyncpg://cassbot@127.0.0.1:1/gone")  # nothing listens there
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{bot.port}/readyz") as response:
                body = await response.json()
                assert response.status == 503
                assert body["status"] == "not_ready" and body["database"] is False
            async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as response:
                assert response.status == 200  # the process itself is fine
    finally:
        await bot.db.close()
        bot.db = healthy


async def test_bad_playground_requests_get_clear_spanish_errors(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings())
    url = f"http://127.0.0.1:{bot.port}/playground/api/messages"
    cases = [
        (b"{not json", 400, "no es JSON válido"),
        (b"[1, 2]", 400, "Se esperaba un objeto JSON"),
        (b'{"chat": "canalejas", "persona": "vecina-lupita", "text": "  "}', 400, "Escribe"),
        (b'{"chat": "atlantis", "persona": "vecina-lupita", "text": "hola"}', 404, "no existe"),
        (b'{"chat": "canalejas", "persona": "nadie", "text": "hola"}', 404, "no existe"),
        (b'{"chat": "canalejas", "text": "hola"}', 400, "persona"),
        (
            b'{"chat": "canalejas", "persona": "vecina-lupita", "text": "' + b"a" * 5000 + b'"}',
            400,
            "demasiado largo",
        ),
    ]
    async with aiohttp.ClientSession() as http:
        for body, status, fragment in cases:
            async with http.post(
                url, data=body, headers={"Content-Type": "application/json"}
            ) as response:
                assert response.status == status, body[:40]
                assert fragment in (await response.json())["error"]
        async with http.get(
            f"http://127.0.0.1:{bot.port}/playground/api/chats/canalejas/entries?after=x"
        ) as response:
            assert response.status == 400
    async with bot.db.read() as session:
        from sqlalchemy import func, select

        from cassbot.storage.models import InboundEvent

        assert (await session.execute(select(func.count(InboundEvent.id)))).scalar() == 0

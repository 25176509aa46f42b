"""A new ticket reaches the área's official by e-mail, through a real SMTP server on loopback."""

from __future__ import annotations

from tests.helpers import eventually, settle
from tests.tickets.conftest import OFFICIALS


async def test_the_department_gets_the_ticket_by_email(
    ticket_settings, make_bot, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    officials = [dict(o) for o in OFFICIALS]
    officials[1]["email"] = "odapas@jilotepec.example"  # the ODAPAS director
    settings = ticket_settings(
        officials=officials,
        adapters={
            "email": {
                "enabled": True,
                "host": "127.0.0.1",
                "port": smtp_server.port,
                "security": "none",
                "from_address": "cass@jilotepec.example",
            }
        },
    )
    bot = await make_bot(settings, serve_http=False)
    local = bot.adapters.get("local")
    await local.post("canalejas", "vecina-lupita", "Hay una fuga de agua en la calle Hidalgo")
    await settle(bot)

    async def arrived() -> bool:
        await bot.outbox.dispatch_due()
        return len(smtp_server.messages) == 1

    await eventually(arrived)
    message = smtp_server.messages[0]
    assert message["To"] == "odapas@jilotepec.example"
    assert message["Subject"] == (
        "[JIL-2026-000001] Nuevo reporte · Fuga de agua · Villa de Canalejas"
    )
    body = message.get_content()
    assert "Nuevo reporte JIL-2026-000001" in body
    assert "calle Hidalgo" in body
    assert "/recibido JIL-2026-000001" in body

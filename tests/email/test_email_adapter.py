"""E-mail goes out through a real SMTP server on loopback, via the outbox."""

from __future__ import annotations

from sqlalchemy import select

from cassbot.actions import SendEmail
from cassbot.notify import notify_officials
from cassbot.storage.models import OutboxAction
from tests.helpers import eventually, settle


def email_settings(smtp_server) -> dict:  # type: ignore[no-untyped-def]
    return {
        "enabled": True,
        "host": "127.0.0.1",
        "port": smtp_server.port,
        "security": "none",
        "from_address": "cass@jilotepec.example",
    }


async def test_an_email_action_reaches_the_mailbox(make_settings, make_bot, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(adapters={"email": email_settings(smtp_server)})
    bot = await make_bot(settings, serve_http=False)
    async with bot.db.transaction() as session:
        await bot.outbox.enqueue(
            session,
            SendEmail(
                to=("registro@jilotepec.example",),
                subject="Nueva solicitud REG-2026-000001",
                body="Ana Pérez pidió unirse al grupo de Canalejas.",
            ),
            key="mail:1",
        )
    await settle(bot)

    async def arrived() -> bool:
        return len(smtp_server.messages) == 1

    await eventually(arrived)
    message = smtp_server.messages[0]
    assert message["To"] == "registro@jilotepec.example"
    assert message["Subject"] == "Nueva solicitud REG-2026-000001"
    assert "Ana Pérez pidió unirse" in message.get_content()
    assert message["Message-ID"].endswith("@jilotepec.example>")
    async with bot.db.read() as session:
        row = (await session.execute(select(OutboxAction))).scalar_one()
    assert row.status == "done"


async def test_an_unreachable_server_is_retried_not_lost(
    make_settings, make_bot, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    config = email_settings(smtp_server) | {"port": 1}  # nothing listens there
    bot = await make_bot(make_settings(adapters={"email": config}), serve_http=False)
    async with bot.db.transaction() as session:
        await bot.outbox.enqueue(
            session, SendEmail(to=("a@b.example",), subject="x", body="y"), key="mail:2"
        )
    await bot.outbox.dispatch_due()
    async with bot.db.read() as session:
        row = (await session.execute(select(OutboxAction))).scalar_one()
    assert row.status == "pending" and row.result == "transient_error"


async def test_officials_with_email_are_notified_by_mail(
    make_settings, make_bot, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        adapters={"email": email_settings(smtp_server)},
        officials=[
            {
                "name": "Gobierno Digital",
                "department": "gobierno_digital",
                "role": "administrador",
                "email": "gd@jilotepec.example",
                "local": "oficial-gd",
            }
        ],
    )
    bot = await make_bot(settings, serve_http=False)
    async with bot.db.transaction() as session:
        reached = await notify_officials(
            bot,
            session,
            bot.directory.officials,
            "Hay una solicitud pendiente.",
            key="notice:1",
            email_subject="Solicitud pendiente",
        )
        again = await notify_officials(
            bot,
            session,
            bot.directory.officials,
            "Hay una solicitud pendiente.",
            key="notice:1",
            email_subject="Solicitud pendiente",
        )
    assert reached == again == ["Gobierno Digital"]
    await settle(bot)

    async def arrived() -> bool:
        return len(smtp_server.messages) == 1

    await eventually(arrived)
    async with bot.db.read() as session:
        rows = (await session.execute(select(OutboxAction))).scalars().all()
    # One private message in the playground and one e-mail: the second call queued nothing.
    assert sorted(r.channel for r in rows) == ["email", "local"]

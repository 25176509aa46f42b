"""Retention: message texts and rejected requests are cleared after their configured days by
the scheduler job, while counts, dates and statuses stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cassbot.clock import ManualClock
from cassbot.events import ChatRef, MessagePosted, MessageRef, UserRef
from cassbot.registration.common import Actor
from cassbot.registration.privacy import ERASED
from cassbot.registration.requests import NewRequest, approve, reject, submit_request
from cassbot.storage.models import InboundEvent, PlaygroundEntry, RegistrationRequest
from tests.helpers import settle

CHAT = ChatRef(channel="local", chat_id="canalejas")
BETO = UserRef(channel="local", user_id="vecino-beto", display_name="Beto")


def message(n: int, at) -> MessagePosted:  # type: ignore[no-untyped-def]
    return MessagePosted(
        dedupe_key=f"local:t:{n}",
        chat=CHAT,
        actor=BETO,
        occurred_at=at,
        message=MessageRef(chat=CHAT, message_id=f"m{n}"),
        text=f"Mensaje privado número {n}",
    )


async def test_the_retention_job_clears_old_texts_and_rejected_requests(
    reg_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    settings = reg_settings(
        privacy={"message_text_days": 30, "playground_log_days": 7, "rejected_request_days": 60}
    )
    bot = await make_bot(settings, serve_http=False, clock=clock)
    local = bot.adapters.get("local")
    await local.post("canalejas", "vecino-beto", "Hay una fuga en la calle 5")
    await bot.ingress.submit(message(1, clock.now()))
    gd = Actor("Gobierno Digital")
    async with bot.db.transaction() as session:
        rejected = await submit_request(
            bot,
            session,
            NewRequest(
                full_name="Ana Pérez López",
                phone="+527611234567",
                community_id="canalejas",
                message="Calle 5",
            ),
            clock.now(),
        )
        await reject(bot, session, rejected, gd, "No vive en la comunidad", clock.now())
        approved = await submit_request(
            bot,
            session,
            NewRequest(
                full_name="Lupita Martínez", phone="+527615550101", community_id="canalejas"
            ),
            clock.now(),
        )
        await approve(bot, session, approved, gd, clock.now())
    await settle(bot)
    clock.advance(timedelta(days=8))
    await bot.ingress.submit(message(2, clock.now()))  # a recent message
    await settle(bot)
    await bot.scheduler.run_due()  # the playground texts (7 days) go first
    async with bot.db.read() as session:
        texts = [
            e.text
            for e in (
                await session.execute(
                    select(PlaygroundEntry).where(
                        PlaygroundEntry.kind == "message",
                        PlaygroundEntry.author_id == "vecino-beto",
                    )
                )
            ).scalars()
        ]
        events = {
            e.dedupe_key: e.payload["text"]
            for e in (
                await session.execute(
                    select(InboundEvent).where(InboundEvent.kind == "message.posted")
                )
            ).scalars()
        }
    assert texts == [""]
    assert events["local:t:1"] == "Mensaje privado número 1"  # 30 days not yet reached
    clock.advance(timedelta(days=55))  # day 63
    await bot.scheduler.run_due()
    async with bot.db.read() as session:
        events = {
            e.dedupe_key: e.payload["text"]
            for e in (
                await session.execute(
                    select(InboundEvent).where(InboundEvent.kind == "message.posted")
                )
            ).scalars()
        }
        requests = {
            r.status: r for r in (await session.execute(select(RegistrationRequest))).scalars()
        }
    assert events["local:t:1"] == ""
    assert events["local:t:2"] == ""  # day 8 + 30 < 63
    assert all(text == "" for text in events.values())
    gone = requests["rejected"]
    assert (gone.full_name, gone.phone, gone.message) == (ERASED, None, "")
    assert gone.anonymised_at == clock.now()
    assert gone.folio.startswith("REG-")
    assert gone.decided_at is not None
    kept = requests["approved"]
    assert kept.full_name == "Lupita Martínez"
    assert kept.phone == "+527615550101"

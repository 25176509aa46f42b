"""Ingress and pipeline: each event once, in order per group, in parallel across groups."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from cassbot.actions import SendMessage
from cassbot.app import CassBot
from cassbot.events import ChatRef, MessagePosted, MessageRef, UserRef
from cassbot.pipeline import Context, Next
from cassbot.storage.models import InboundEvent, OutboxAction
from tests.helpers import settle

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def message(
    chat_id: str, n: int, text: str = "hola", user: str = "vecina-lupita"
) -> MessagePosted:
    chat = ChatRef(channel="local", chat_id=chat_id)
    return MessagePosted(
        dedupe_key=f"local:test:{chat_id}:{n}",
        chat=chat,
        actor=UserRef(channel="local", user_id=user, display_name="Lupita"),
        occurred_at=NOW,
        message=MessageRef(chat=chat, message_id=f"m{n}"),
        text=text,
    )


class Recorder:
    """A pipeline stage that records what it saw (and can be told to misbehave)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.fail_times: dict[str, int] = {}
        self.gates: dict[str, asyncio.Event] = {}
        self.started: dict[str, asyncio.Event] = {}

    async def __call__(self, ctx: Context, call_next: Next) -> None:
        key = ctx.event.dedupe_key
        self.started.setdefault(key, asyncio.Event()).set()
        if key in self.gates:
            await asyncio.wait_for(self.gates[key].wait(), 5)
        if self.fail_times.get(key, 0) > 0:
            self.fail_times[key] -= 1
            ctx.emit(SendMessage(chat=ctx.chat, text="never sent"))
            raise RuntimeError("boom")
        self.seen.append(key)
        await call_next()


def with_recorder(recorder: Recorder) -> Any:
    def install(app: CassBot) -> None:
        app.pipeline.insert("recorder", recorder, after="context")

    return install


async def test_an_event_delivered_twice_is_processed_once(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    bot = await make_bot(make_settings(), serve_http=False, features=[with_recorder(recorder)])
    event = message("canalejas", 1)
    assert await bot.ingress.submit(event) is True
    assert await bot.ingress.submit(event) is False
    await settle(bot)
    assert recorder.seen == [event.dedupe_key]
    async with bot.db.read() as session:
        rows = (await session.execute(select(InboundEvent))).scalars().all()
    assert [(r.dedupe_key, r.status) for r in rows] == [(event.dedupe_key, "processed")]


async def test_events_of_a_group_keep_their_order(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    bot = await make_bot(make_settings(), serve_http=False, features=[with_recorder(recorder)])
    events = [message("canalejas", n) for n in range(12)]
    recorder.gates[events[0].dedupe_key] = gate = asyncio.Event()
    await bot.ingress.submit_many(events)
    await asyncio.sleep(0.05)
    gate.set()  # the first one was held back; nothing may overtake it
    await settle(bot)
    assert recorder.seen == [e.dedupe_key for e in events]


# SQLite has a single writer, so there the groups' transactions take turns; PostgreSQL runs
# them side by side, which is what this proves.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_groups_are_processed_in_parallel(make_settings, make_bot, db_url) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    settings = make_settings(database={"url": db_url})
    bot = await make_bot(settings, serve_http=False, features=[with_recorder(recorder)])
    held = message("canalejas", 1, user="vecina-lupita")
    other = message("coscomate", 2, user="vecino-beto")
    recorder.gates[held.dedupe_key] = gate = asyncio.Event()
    await bot.ingress.submit(held)
    await bot.ingress.submit(other)
    # Coscomate's event completes while Canalejas' is still blocked.
    await asyncio.wait_for(
        recorder.started.setdefault(other.dedupe_key, asyncio.Event()).wait(), 5
    )
    for _ in range(50):
        if other.dedupe_key in recorder.seen:
            break
        await asyncio.sleep(0.02)
    assert recorder.seen == [other.dedupe_key]
    gate.set()
    await settle(bot)
    assert recorder.seen == [other.dedupe_key, held.dedupe_key]


async def test_a_failure_rolls_back_its_actions_and_is_retried(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    bot = await make_bot(make_settings(), serve_http=False, features=[with_recorder(recorder)])
    event = message("canalejas", 1, text="/reglas")
    recorder.fail_times[event.dedupe_key] = 1
    await bot.ingress.submit(event)
    await settle(bot)
    async with bot.db.read() as session:
        row = (await session.execute(select(InboundEvent))).scalar_one()
        actions = (await session.execute(select(OutboxAction))).scalars().all()
    assert row.status == "processed" and row.attempts == 2
    # The failed attempt's planned message was rolled back; /reglas answered exactly once.
    assert [a.kind for a in actions] == ["send"]
    assert "never sent" not in str(actions[0].payload)


async def test_an_event_that_keeps_failing_is_parked_and_the_group_goes_on(
    make_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    bot = await make_bot(make_settings(), serve_http=False, features=[with_recorder(recorder)])
    bad, good = message("canalejas", 1), message("canalejas", 2)
    recorder.fail_times[bad.dedupe_key] = 99
    await bot.ingress.submit_many([bad, good])
    await settle(bot, timeout=20)
    async with bot.db.read() as session:
        rows = {r.dedupe_key: r for r in (await session.execute(select(InboundEvent))).scalars()}
    assert rows[bad.dedupe_key].status == "failed"
    assert rows[bad.dedupe_key].attempts == bot.settings.processing.max_attempts
    assert "boom" in (rows[bad.dedupe_key].error or "")
    assert rows[good.dedupe_key].status == "processed"
    assert recorder.seen == [good.dedupe_key]


async def test_events_left_pending_are_processed_at_the_next_start(
    make_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    first = await make_bot(settings, serve_http=False)
    await first.stop()
    event = message("canalejas", 7, text="/reglas")
    async with first.db.transaction() as session:  # stored by ingress, never processed
        session.add(
            InboundEvent(
                dedupe_key=event.dedupe_key,
                channel="local",
                chat_key=event.chat.key,
                kind=event.kind,
                payload=event.model_dump(mode="json"),
                status="pending",
                attempts=0,
                received_at=NOW,
            )
        )
    await first.db.close()
    second = await make_bot(settings, serve_http=False)
    await settle(second)
    async with second.db.read() as session:
        row = (await session.execute(select(InboundEvent))).scalar_one()
        actions = (await session.execute(select(OutboxAction))).scalars().all()
    assert row.status == "processed"
    assert len(actions) == 1 and actions[0].status == "done"


async def test_messages_from_unconfigured_groups_are_ignored(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    bot = await make_bot(make_settings(), serve_http=False, features=[with_recorder(recorder)])
    await bot.ingress.submit(message("somewhere-else", 1, text="/reglas"))
    await settle(bot)
    assert recorder.seen == []
    async with bot.db.read() as session:
        assert (await session.execute(select(OutboxAction))).first() is None
        assert (await session.execute(select(InboundEvent.status))).scalar() == "processed"


class LeakyStage:
    """A stage whose database write fails with the member's message among its parameters."""

    async def __call__(self, ctx: Context, call_next: Next) -> None:
        text = ctx.event.text if isinstance(ctx.event, MessagePosted) else ""
        ctx.session.add(
            InboundEvent(
                dedupe_key=ctx.event.dedupe_key,  # taken: a unique violation
                channel="local",
                chat_key="local:canalejas",
                kind="message.posted",
                payload={"text": text},
            )
        )
        await ctx.session.flush()


async def test_a_failure_is_stored_and_logged_without_personal_data(
    make_settings, make_bot, db_url, caplog
) -> None:  # type: ignore[no-untyped-def]
    from cassbot.logs import JsonFormatter

    caplog.set_level(logging.INFO)
    settings = make_settings(database={"url": db_url}, processing={"max_attempts": 1})

    def install(app: CassBot) -> None:
        app.pipeline.insert("leaky", LeakyStage(), after="context")

    bot = await make_bot(settings, serve_http=False, features=[install])
    secret = "Soy Lupita Martínez, mi celular es 761 123 4567"
    await bot.ingress.submit(message("canalejas", 1, text=secret))
    await settle(bot, timeout=20)
    async with bot.db.read() as session:
        row = (await session.execute(select(InboundEvent))).scalar_one()
    assert row.status == "failed"
    assert row.error is not None
    assert row.error.startswith("IntegrityError (")  # the kind of failure stays…
    assert "23505" in row.error or "SQLITE_CONSTRAINT" in row.error  # …with the database's code
    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert "event processing failed" in logged
    assert "core/test_pipeline.py" in logged  # where it happened is kept
    for leak in ("Lupita", "761 123 4567", "celular"):
        assert leak not in row.error
        assert leak not in logged

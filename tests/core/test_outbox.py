"""The outbox on SQLite and PostgreSQL: retries, rate limits, order, recovery, fallbacks."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from cassbot.actions import Action, ActionResult, DeleteMessage, RemoveMember, SendMessage
from cassbot.adapter import Adapter, AdapterRegistry, Capability
from cassbot.clock import ManualClock
from cassbot.events import ChatRef, MessageRef, UserRef
from cassbot.metrics import Metrics
from cassbot.outbox import Outbox
from cassbot.settings import OutboxSettings
from cassbot.storage.db import Database
from cassbot.storage.migrate import upgrade
from cassbot.storage.models import OutboxAction

GROUP = ChatRef(channel="fake", chat_id="g1")
OTHER = ChatRef(channel="fake", chat_id="g2")
DM = ChatRef(channel="fake", chat_id="u1", private=True)


class ScriptedAdapter(Adapter):
    """An adapter whose results a test scripts, recording every call."""

    name = "fake"
    capabilities = frozenset(
        {Capability.SEND, Capability.DELETE_MESSAGE, Capability.REMOVE_MEMBER}
    )

    def __init__(self) -> None:
        self.calls: list[Action] = []
        self.script: deque[ActionResult] = deque()

    async def execute(self, action: Action) -> ActionResult:
        self.calls.append(action)
        return self.script.popleft() if self.script else ActionResult.success()


@pytest.fixture
async def rig(db_url: str):  # type: ignore[no-untyped-def]
    db = Database(db_url)
    await upgrade(db)
    adapter = ScriptedAdapter()
    clock = ManualClock()
    outbox = Outbox(
        db,
        AdapterRegistry([adapter]),
        clock,
        OutboxSettings(max_attempts=3, backoff_base_s=10, backoff_max_s=60),
        Metrics(),
    )
    yield db, adapter, clock, outbox
    await db.close()


async def put(db: Database, outbox: Outbox, action: Action, **kwargs) -> int:  # type: ignore[no-untyped-def]
    async with db.transaction() as session:
        row_id = await outbox.enqueue(session, action, **kwargs)
    assert row_id is not None
    return row_id


async def row(db: Database, row_id: int) -> OutboxAction:
    async with db.read() as session:
        found = await session.get(OutboxAction, row_id)
    assert found is not None
    return found


async def test_an_action_runs_once_and_is_recorded(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    row_id = await put(db, outbox, SendMessage(chat=GROUP, text="hola"))
    assert await outbox.dispatch_due() == 1
    assert await outbox.dispatch_due() == 0
    done = await row(db, row_id)
    assert (done.status, done.result, done.attempts) == ("done", "ok", 1)
    assert len(adapter.calls) == 1
    assert adapter.calls[0].idempotency_key == done.idempotency_key != ""


async def test_same_key_is_queued_once(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    action = SendMessage(chat=GROUP, text="aviso")
    await put(db, outbox, action, key="announcement:1:g1")
    async with db.transaction() as session:
        assert await outbox.enqueue(session, action, key="announcement:1:g1") is None
    await outbox.dispatch_due()
    assert len(adapter.calls) == 1


async def test_transient_errors_back_off_then_give_up(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, clock, outbox = rig
    adapter.script.extend([ActionResult(status="transient_error", detail="502")] * 3)
    row_id = await put(db, outbox, DeleteMessage(message=MessageRef(chat=GROUP, message_id="m1")))
    await outbox.dispatch_due()
    first = await row(db, row_id)
    assert first.status == "pending" and first.attempts == 1
    assert first.next_attempt_at > clock.now()
    assert await outbox.dispatch_due() == 0  # not due yet
    clock.advance(timedelta(seconds=13))
    await outbox.dispatch_due()
    clock.advance(timedelta(seconds=60))
    await outbox.dispatch_due()
    last = await row(db, row_id)
    assert (last.status, last.result, last.attempts) == ("failed", "transient_error", 3)
    assert len(adapter.calls) == 3


async def test_rate_limits_wait_retry_after_and_keep_the_lane_in_order(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, clock, outbox = rig
    adapter.script.append(ActionResult(status="rate_limited", retry_after=30))
    first = await put(db, outbox, SendMessage(chat=GROUP, text="uno"))
    second = await put(db, outbox, SendMessage(chat=GROUP, text="dos"))
    other = await put(db, outbox, SendMessage(chat=OTHER, text="otro grupo"))
    await outbox.dispatch_due()
    # "dos" may not overtake "uno"; the other chat is not held up (chats run side by side,
    # so only the set of first attempts is fixed, not their order).
    assert sorted(a.text for a in adapter.calls) == ["otro grupo", "uno"]  # type: ignore[union-attr]
    assert (await row(db, second)).status == "pending"
    clock.advance(timedelta(seconds=29))
    assert await outbox.dispatch_due() == 0
    clock.advance(timedelta(seconds=2))
    await outbox.dispatch_due()
    assert [a.text for a in adapter.calls][2:] == ["uno", "dos"]  # type: ignore[union-attr]
    assert {(await row(db, i)).status for i in (first, second, other)} == {"done"}


async def test_idempotent_actions_already_done_count_as_done(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    adapter.script.append(ActionResult(status="not_found"))
    row_id = await put(
        db, outbox, RemoveMember(chat=GROUP, user=UserRef(channel="fake", user_id="u1"))
    )
    await outbox.dispatch_due()
    assert (await row(db, row_id)).status == "done"


async def test_an_unreachable_private_chat_falls_back_to_the_group(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    adapter.script.append(ActionResult(status="forbidden", detail="user never started the bot"))
    row_id = await put(
        db,
        outbox,
        SendMessage(
            chat=DM,
            text="advertencia",
            fallback_chat=GROUP,
            fallback_reply_to=MessageRef(chat=GROUP, message_id="m9"),
        ),
    )
    await outbox.dispatch_due()
    await outbox.dispatch_due()
    assert (await row(db, row_id)).status == "failed"
    assert [(a.chat.chat_id, a.text) for a in adapter.calls] == [  # type: ignore[union-attr]
        ("u1", "advertencia"),
        ("g1", "advertencia"),
    ]
    assert adapter.calls[1].reply_to == MessageRef(chat=GROUP, message_id="m9")  # type: ignore[union-attr]


async def test_disabled_channel_and_unsupported_action(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    absent = await put(
        db, outbox, SendMessage(chat=ChatRef(channel="telegram", chat_id="1"), text="x")
    )
    from cassbot.actions import AddMember

    unsupported = await put(
        db, outbox, AddMember(chat=GROUP, user=UserRef(channel="fake", user_id="u2"))
    )
    await outbox.dispatch_due()
    assert (await row(db, absent)).status == "pending"  # retried: the channel may come back
    assert (await row(db, absent)).detail == "channel 'telegram' is not enabled"
    assert (await row(db, unsupported)).result == "unsupported"
    assert adapter.calls == []


async def test_dry_run_actions_are_recorded_not_executed(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    row_id = await put(db, outbox, SendMessage(chat=GROUP, text="x"), dry_run=True)
    await outbox.dispatch_due()
    assert (await row(db, row_id)).status == "dry_run"
    assert adapter.calls == []


async def test_an_action_interrupted_by_a_crash_runs_again_once(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    row_id = await put(db, outbox, DeleteMessage(message=MessageRef(chat=GROUP, message_id="m1")))
    async with db.transaction() as session:  # what a crash right after claiming leaves behind
        claimed = await session.get(OutboxAction, row_id)
        assert claimed is not None
        claimed.status, claimed.attempts = "in_flight", 1
    assert await outbox.dispatch_due() == 0  # in flight: not touched until recovered
    assert await outbox.recover() == 1
    await outbox.dispatch_due()
    await outbox.dispatch_due()
    final = await row(db, row_id)
    assert (final.status, final.recovered, final.attempts) == ("done", True, 2)
    assert len(adapter.calls) == 1


async def test_adapter_exceptions_become_transient_errors(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig

    async def explode(action: Action) -> ActionResult:
        raise ConnectionError("gateway gone")

    adapter.execute = explode  # type: ignore[method-assign]
    row_id = await put(db, outbox, SendMessage(chat=GROUP, text="x"))
    await outbox.dispatch_due()
    failed = await row(db, row_id)
    assert failed.status == "pending" and "gateway gone" in (failed.detail or "")


async def test_result_hooks_see_each_result(rig) -> None:  # type: ignore[no-untyped-def]
    db, _adapter, _, outbox = rig
    seen: list[tuple[str, str]] = []

    async def hook(session, row, action, result) -> None:  # type: ignore[no-untyped-def]
        seen.append((action.kind, result.status))

    outbox.on_result(hook, kind="send")
    await put(db, outbox, SendMessage(chat=GROUP, text="x"))
    await put(db, outbox, DeleteMessage(message=MessageRef(chat=GROUP, message_id="m")))
    await outbox.dispatch_due()
    assert seen == [("send", "ok")]
    async with db.read() as session:
        assert len((await session.execute(select(OutboxAction))).scalars().all()) == 2


class _Deadlock(Exception):
    sqlstate = "40P01"  # what asyncpg reports when PostgreSQL broke a deadlock


async def test_a_database_conflict_while_recording_is_retried(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    tries: list[int] = []

    async def hook(session, row, action, result) -> None:  # type: ignore[no-untyped-def]
        tries.append(row.id)
        if len(tries) == 1:
            raise DBAPIError("INSERT INTO identities …", {}, _Deadlock("deadlock detected"))

    outbox.on_result(hook, kind="send")
    row_id = await put(db, outbox, SendMessage(chat=GROUP, text="bienvenida"))
    assert await outbox.dispatch_due() == 1
    done = await row(db, row_id)
    assert (done.status, done.result, done.attempts) == ("done", "ok", 1)  # not left in_flight
    assert tries == [row_id, row_id]
    assert len(adapter.calls) == 1  # recorded again, not executed again


@pytest.mark.parametrize(
    "error",
    [DBAPIError("SELECT …", {}, Exception("syntax error")), KeyError("bug in a hook")],
)
async def test_a_failing_hook_is_logged_and_the_result_still_recorded(rig, error) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _, outbox = rig
    tries: list[int] = []
    later: list[int] = []

    async def broken(session, row, action, result) -> None:  # type: ignore[no-untyped-def]
        tries.append(row.id)
        raise error

    async def healthy(session, row, action, result) -> None:  # type: ignore[no-untyped-def]
        later.append(row.id)

    outbox.on_result(broken, kind="send")
    outbox.on_result(healthy, kind="send")
    row_id = await put(db, outbox, SendMessage(chat=GROUP, text="x"))
    assert await outbox.dispatch_due() == 1
    done = await row(db, row_id)
    assert (done.status, done.result) == ("done", "ok")  # not stuck in flight
    assert tries == [row_id] and later == [row_id]  # not retried; other hooks still run
    assert len(adapter.calls) == 1


async def test_a_long_wait_in_one_chat_never_hides_due_actions_elsewhere(rig) -> None:  # type: ignore[no-untyped-def]
    db, adapter, _clock, outbox = rig
    adapter.script.append(ActionResult(status="rate_limited", retry_after=3600))
    for n in range(450):  # more than a batch: e.g. a WhatsApp outage piling up
        await put(db, outbox, SendMessage(chat=OTHER, text=f"espera {n}"))
    await outbox.dispatch_due()  # the first one is told to wait an hour; its chat waits
    later = await put(db, outbox, SendMessage(chat=GROUP, text="ahora"))
    assert await outbox.dispatch_due() == 1
    assert (await row(db, later)).status == "done"
    assert [a.text for a in adapter.calls] == ["espera 0", "ahora"]  # type: ignore[union-attr]

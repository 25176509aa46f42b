"""The outbox: actions committed with their decision, executed afterwards, retried, recorded.

A crash at any point loses nothing and repeats nothing that matters: rows are written in the
decision's transaction; a row is marked `in_flight` (committed) before the adapter runs, and
one found `in_flight` at start-up is retried and flagged `recovered`. Deletes and removals are
idempotent on every platform; a repeated send is detected by adapters that can (idempotency
key) and logged either way. Actions to one chat run in order (head-of-line per lane); lanes run
in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import ACTION_ADAPTER, Action, ActionResult, SendMessage
from cassbot.adapter import ACTION_CAPABILITY, AdapterRegistry
from cassbot.clock import Clock
from cassbot.metrics import Metrics
from cassbot.safe_errors import describe
from cassbot.settings import OutboxSettings
from cassbot.storage.db import Database
from cassbot.storage.models import OutboxAction
from cassbot.storage.upsert import insert_ignore

logger = logging.getLogger(__name__)

# Outcomes that mean "the thing is already as we wanted" for idempotent actions.
_ALREADY_DONE = {"delete", "remove", "ban", "unban"}
_FALLBACK_ON = {"forbidden", "not_found", "unsupported", "permanent_error"}

# PostgreSQL's deadlock and serialization failures: the transaction may simply run again.
_CONFLICT_SQLSTATES = {"40P01", "40001"}
_RECORD_ATTEMPTS = 5

ResultHook = Callable[[AsyncSession, OutboxAction, Action, ActionResult], Awaitable[None]]


class Outbox:
    def __init__(
        self,
        db: Database,
        adapters: AdapterRegistry,
        clock: Clock,
        settings: OutboxSettings,
        metrics: Metrics,
    ) -> None:
        self._db = db
        self._metrics = metrics
        self._adapters = adapters
        self._clock = clock
        self._settings = settings
        self._wake = asyncio.Event()
        self._dispatch_lock = asyncio.Lock()
        self._hooks: list[tuple[str | None, ResultHook]] = []
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # Writing ------------------------------------------------------------------------------------

    async def enqueue(
        self,
        session: AsyncSession,
        action: Action,
        *,
        key: str | None = None,
        purpose: str = "",
        cause_event_id: int | None = None,
        community_id: str | None = None,
        audit_id: int | None = None,
        dry_run: bool = False,
        not_before: datetime | None = None,
    ) -> int | None:
        """Add an action in the caller's transaction; None when its key was already queued."""
        key = key or action.idempotency_key or _derived_key(action, cause_event_id, purpose)
        action = action.model_copy(update={"idempotency_key": key})
        now = self._clock.now()
        return await insert_ignore(
            session,
            OutboxAction.__table__,  # type: ignore[arg-type]
            {
                "idempotency_key": key,
                "channel": action.channel,
                "lane": action.target.key,
                "kind": action.kind,
                "payload": action.model_dump(mode="json"),
                "purpose": purpose,
                "status": "dry_run" if dry_run else "pending",
                "attempts": 0,
                "recovered": False,
                "next_attempt_at": not_before or now,
                "created_at": now,
                "cause_event_id": cause_event_id,
                "community_id": community_id,
                "audit_id": audit_id,
            },
            conflict=["idempotency_key"],
        )

    def on_result(self, hook: ResultHook, *, kind: str | None = None) -> None:
        """Call `hook` in the recording transaction after each result (of one kind, or all)."""
        self._hooks.append((kind, hook))

    def wake(self) -> None:
        self._wake.set()

    # Running ------------------------------------------------------------------------------------

    async def recover(self) -> int:
        """Return actions left `in_flight` by a crash to the queue (flagged as recovered)."""
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(OutboxAction.id, OutboxAction.kind).where(
                        OutboxAction.status == "in_flight"
                    )
                )
            ).all()
            if rows:
                await session.execute(
                    update(OutboxAction)
                    .where(OutboxAction.status == "in_flight")
                    .values(status="pending", recovered=True)
                )
        for row_id, kind in rows:
            logger.warning(
                "action interrupted by a restart will be retried%s",
                " (the message may arrive twice)" if kind == "send" else "",
                extra={"outbox_id": row_id, "kind": kind},
            )
        return len(rows)

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="cassbot-outbox")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        if self._settings.paused:
            logger.warning("outbox paused by configuration: actions are queued, not executed")
        while not self._stopping:
            try:
                if not self._settings.paused:
                    await self.dispatch_due()
            except Exception:
                logger.exception("outbox dispatch failed; retrying shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.poll_interval_s)
            self._wake.clear()

    async def dispatch_due(self) -> int:
        """Execute every action that is due now; returns how many were attempted."""
        async with self._dispatch_lock:
            lanes = await self._due_lanes()
            if not lanes:
                return 0
            results = await asyncio.gather(*(self._run_lane(ids) for ids in lanes.values()))
            return sum(results)

    async def _due_lanes(self) -> dict[str, list[int]]:
        """Per chat, the run of due actions at the head of its queue (order is kept per chat).

        Chats are chosen by their *first* pending action, so thousands of actions waiting in
        one chat (a WhatsApp outage, pacing, backoff) never hide a due action in another.
        """
        now = self._clock.now()
        limit = self._settings.batch_size
        async with self._db.read() as session:
            heads = (
                select(OutboxAction.lane, func.min(OutboxAction.id).label("head"))
                .where(OutboxAction.status == "pending")
                .group_by(OutboxAction.lane)
                .subquery()
            )
            due = (
                (
                    await session.execute(
                        select(heads.c.lane)
                        .join(OutboxAction, OutboxAction.id == heads.c.head)
                        .where(OutboxAction.next_attempt_at <= now)
                        .order_by(heads.c.head)
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )
            if not due:
                return {}
            rows = (
                await session.execute(
                    select(OutboxAction.id, OutboxAction.lane, OutboxAction.next_attempt_at)
                    .where(OutboxAction.status == "pending", OutboxAction.lane.in_(due))
                    .order_by(OutboxAction.id)
                    .limit(limit * 4)
                )
            ).all()
        lanes: dict[str, list[int]] = {}
        blocked: set[str] = set()
        for row_id, lane, next_at in rows:
            if lane in blocked:
                continue
            if next_at > now:  # nothing in a lane overtakes a waiting action
                blocked.add(lane)
                continue
            lanes.setdefault(lane, []).append(row_id)
        return lanes

    async def _run_lane(self, ids: list[int]) -> int:
        attempted = 0
        for row_id in ids:
            result = await self.execute_one(row_id)
            if result is None:
                continue
            attempted += 1
            if result.retryable:
                break
        return attempted

    async def execute_one(self, row_id: int) -> ActionResult | None:
        """Run one pending action through its adapter and record the result."""
        async with self._db.transaction() as session:
            row = await session.get(OutboxAction, row_id)
            if row is None or row.status != "pending":
                return None
            row.status = "in_flight"
            row.attempts += 1
            action = action_from_json_dict(row.payload)
        result = await self._execute(action)
        await self._record(row_id, action, result)
        return result

    async def _execute(self, action: Action) -> ActionResult:
        adapter = self._adapters.get(action.channel)
        if adapter is None:
            return ActionResult(
                status="transient_error", detail=f"channel {action.channel!r} is not enabled"
            )
        capability = ACTION_CAPABILITY.get(action.kind)
        if capability is not None and not adapter.supports(capability):
            return ActionResult(
                status="unsupported", detail=f"{adapter.name} cannot {action.kind}"
            )
        try:
            return await asyncio.wait_for(
                adapter.execute(action), timeout=self._settings.execute_timeout_s
            )
        except TimeoutError:
            return ActionResult(status="transient_error", detail="timed out")
        except Exception as exc:  # an adapter bug must not stop the outbox
            logger.exception("adapter raised while executing", extra={"kind": action.kind})
            return ActionResult(status="transient_error", detail=describe(exc))

    async def _record(self, row_id: int, action: Action, result: ActionResult) -> None:
        """Record the result (and run the hooks); a database conflict is retried, since the
        action already happened and its row must not stay `in_flight`."""
        for attempt in range(1, _RECORD_ATTEMPTS + 1):
            try:
                await self._record_once(row_id, action, result)
                return
            except DBAPIError as exc:
                if attempt == _RECORD_ATTEMPTS or not _conflict(exc):
                    raise
                logger.warning(
                    "recording an action's result hit a database conflict; trying again",
                    extra={"outbox_id": row_id, "attempt": attempt, "error": str(exc.orig)},
                )
                await asyncio.sleep(0.05 * attempt)

    async def _record_once(self, row_id: int, action: Action, result: ActionResult) -> None:
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await session.get(OutboxAction, row_id)
            if row is None:
                return
            row.result = result.status
            row.detail = result.detail[:2000] if result.detail else None
            if result.platform_ref:
                row.platform_ref = result.platform_ref[:500]
            if result.ok or (result.status == "not_found" and action.kind in _ALREADY_DONE):
                row.status = "done"
                row.executed_at = now
            elif result.status == "rate_limited":
                row.status = "pending"
                row.next_attempt_at = now + timedelta(
                    seconds=result.retry_after or self._backoff(row.attempts)
                )
            elif result.status == "transient_error" and row.attempts < self._settings.max_attempts:
                row.status = "pending"
                row.next_attempt_at = now + timedelta(seconds=self._backoff(row.attempts))
            else:
                row.status = "failed"
                row.executed_at = now
            self._metrics.actions.labels(row.channel, action.kind, result.status).inc()
            log = logger.info if row.status in ("done", "pending") else logger.warning
            log(
                "action %s: %s",
                action.kind,
                result.status,
                extra={
                    "outbox_id": row.id,
                    "lane": row.lane,
                    "purpose": row.purpose,
                    "attempt": row.attempts,
                    "status": row.status,
                    **({"detail": result.detail} if result.detail else {}),
                },
            )
            if row.status == "failed" and isinstance(action, SendMessage):
                await self._fallback(session, row, action, result)
            for kind, hook in self._hooks:
                if kind is None or kind == action.kind:
                    await self._run_hook(hook, session, row, action, result)
        if row.status == "pending":
            self.wake()

    async def _run_hook(
        self,
        hook: ResultHook,
        session: AsyncSession,
        row: OutboxAction,
        action: Action,
        result: ActionResult,
    ) -> None:
        """A failing hook is logged and rolled back alone: the result itself is still recorded
        (otherwise the row would stay in flight and run again after a restart). A database
        conflict is raised instead, so the whole recording runs again (see `_record`)."""
        try:
            async with session.begin_nested():
                await hook(session, row, action, result)
        except DBAPIError as exc:
            if _conflict(exc):
                raise
            logger.exception(
                "outbox result hook failed", extra={"outbox_id": row.id, "kind": action.kind}
            )
        except Exception:
            logger.exception(
                "outbox result hook failed", extra={"outbox_id": row.id, "kind": action.kind}
            )

    async def _fallback(
        self, session: AsyncSession, row: OutboxAction, action: SendMessage, result: ActionResult
    ) -> None:
        if action.fallback_chat is None or result.status not in _FALLBACK_ON:
            return
        await self.enqueue(
            session,
            SendMessage(
                chat=action.fallback_chat,
                text=action.fallback_text or action.text,
                reply_to=action.fallback_reply_to,
                mentions=action.mentions,
            ),
            key=f"{row.idempotency_key}:fallback",
            purpose=f"{row.purpose}:fallback" if row.purpose else "fallback",
            cause_event_id=row.cause_event_id,
            community_id=row.community_id,
            audit_id=row.audit_id,
        )

    def _backoff(self, attempts: int) -> float:
        base = self._settings.backoff_base_s * 2.0 ** max(0, attempts - 1)
        jitter = random.uniform(0.8, 1.2)
        return float(min(self._settings.backoff_max_s, base) * jitter)


def action_from_json_dict(payload: dict[str, Any]) -> Action:
    return ACTION_ADAPTER.validate_python(payload)


def _derived_key(action: Action, cause_event_id: int | None, purpose: str) -> str:
    """A key for producers that gave none: stable per event, unique otherwise."""
    if cause_event_id is None:
        return f"adhoc:{purpose or action.kind}:{uuid.uuid4().hex}"
    digest = hashlib.sha256(action.model_dump_json().encode()).hexdigest()[:24]
    return f"ev{cause_event_id}:{purpose or action.kind}:{digest}"


def _conflict(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _CONFLICT_SQLSTATES

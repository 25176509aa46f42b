"""CSV export of public tickets (GeoReport Bulk columns plus the SLA columns), nightly into
`<data_dir>/exports/` and on demand (`cassbot tickets export`, /transparencia/datos.csv)."""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.csvsafe import spreadsheet_safe
from cassbot.scheduler import Scheduler
from cassbot.settings import Settings
from cassbot.storage.models import Ticket, Timer
from cassbot.tickets.public import iso, public_request

if TYPE_CHECKING:
    from cassbot.app import CassBot
    from cassbot.directory import Directory

logger = logging.getLogger(__name__)

COLUMNS = [
    "service_request_id",
    "requested_datetime",
    "updated_datetime",
    "closed_date",
    "status",
    "status_description",
    "status_notes",
    "service_code",
    "service_name",
    "description",
    "agency_responsible",
    "address",
    "lat",
    "long",
    "source",
    "ack_due",
    "acknowledged",
    "acknowledged_on_time",
    "target",
    "resolved",
    "affected_count",
    "closure_reason",
]
EXPORT_TIMER = "tickets:export"


async def export_csv(
    session: AsyncSession, settings: Settings, now: datetime, directory: Directory | None = None
) -> str:
    from cassbot.directory import Directory

    directory = directory or Directory(settings)
    rows = (
        await session.execute(
            select(Ticket).where(Ticket.is_public.is_(True)).order_by(Ticket.requested_at)
        )
    ).scalars()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    deadline = settings.tickets.ack_deadline
    for ticket in rows:
        public = public_request(ticket, settings, directory)
        row = {
            **{k: public[k] for k in COLUMNS if k in public},
            "closed_date": iso(ticket.closed_at, settings),
            "status_description": ticket.status,
            "source": ticket.channel,
            "ack_due": iso(ticket.requested_at + deadline, settings),
            "acknowledged": iso(ticket.acknowledged_at, settings),
            "acknowledged_on_time": (
                ""
                if ticket.acknowledged_at is None
                else str(ticket.acknowledged_at - ticket.requested_at <= deadline).lower()
            ),
            "target": iso(ticket.expected_at, settings),
            "resolved": iso(ticket.resolved_at, settings),
            "affected_count": ticket.affected_count,
            "closure_reason": ticket.status if ticket.closed_at else "",
        }
        # Neighbours' words (descriptions, places) must open as text, never as formulas.
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
    return out.getvalue()


def next_export_at(settings: Settings, now: datetime) -> datetime:
    hour, minute = map(int, settings.tickets.export_time.split(":"))
    local = now.astimezone(settings.tickets.zone)
    moment = datetime.combine(local.date(), time(hour, minute), tzinfo=settings.tickets.zone)
    if moment <= local:
        moment += timedelta(days=1)
    return moment.astimezone(now.tzinfo)


async def write_export(session: AsyncSession, app: CassBot, now: datetime) -> Path:
    folder = app.settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    body = await export_csv(session, app.settings, now, app.directory)
    day = now.astimezone(app.settings.tickets.zone).strftime("%Y-%m-%d")
    path = folder / f"tickets-{day}.csv"
    temporary = path.with_suffix(".csv.part")
    temporary.write_text(body, encoding="utf-8")
    temporary.replace(path)  # readers never see half a file
    logger.info("tickets exported", extra={"path": str(path), "bytes": len(body)})
    return path


class NightlyExport:
    def __init__(self, app: CassBot) -> None:
        self.app = app

    def install(self) -> None:
        self.app.scheduler.on("tickets_export", self.run)
        self.app.startup_hooks.append(self.ensure_timer)

    async def ensure_timer(self) -> None:
        async with self.app.db.transaction() as session:
            exists = (
                await session.execute(
                    select(Timer.id).where(Timer.key == EXPORT_TIMER, Timer.status == "pending")
                )
            ).first()
            if exists is None:
                await Scheduler.schedule(
                    session,
                    "tickets_export",
                    EXPORT_TIMER,
                    next_export_at(self.app.settings, self.app.clock.now()),
                )

    async def run(self, session: AsyncSession, timer: Timer, now: datetime) -> None:
        await write_export(session, self.app, now)
        timer.due_at = next_export_at(self.app.settings, now)  # re-arm for tomorrow

"""The public figures: one computation behind /transparencia, /api/v1/stats and the CSV notes.

Only aggregates, never a person. Times are in hours; the median is the middle value (mean of
the two middle ones for an even count) and the P90 is the nearest-rank 90th percentile, the
value below which at least 90 % of cases fall. "Time to resolve" runs until an official
*marked* the ticket resolved. Months are calendar months in the municipality's time zone.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.settings import Settings
from cassbot.storage.models import AuditEntry, Ticket
from cassbot.tickets.catalog import OPEN_STATUSES, category_label, department_name

BACKLOG_BUCKETS: list[tuple[str, timedelta | None]] = [
    ("0–1 días", timedelta(days=1)),
    ("1–7 días", timedelta(days=7)),
    ("7–30 días", timedelta(days=30)),
    ("más de 30 días", None),
]
WINDOW_MONTHS = 12


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def window_start(now: datetime, settings: Settings) -> datetime:
    """The first day of the month WINDOW_MONTHS - 1 months ago, local time."""
    local = now.astimezone(settings.tickets.zone)
    year, month = local.year, local.month - (WINDOW_MONTHS - 1)
    while month <= 0:
        month += 12
        year -= 1
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


async def compute_stats(
    session: AsyncSession, settings: Settings, now: datetime
) -> dict[str, Any]:
    zone = settings.tickets.zone
    deadline = settings.tickets.ack_deadline
    since = window_start(now, settings)
    tickets = (
        (await session.execute(select(Ticket).where(Ticket.requested_at >= since))).scalars().all()
    )
    months = _months(since, now, settings)
    by_department: Counter[tuple[str, str]] = Counter()
    by_category: Counter[tuple[str, str]] = Counter()
    ack_hours: list[float] = []
    resolve_hours: list[float] = []
    due = on_time = 0
    status_counts: Counter[str] = Counter()
    for ticket in tickets:
        month = ticket.requested_at.astimezone(zone).strftime("%Y-%m")
        by_department[(month, ticket.department)] += 1
        by_category[(month, ticket.category)] += 1
        status_counts[ticket.status] += 1
        if ticket.acknowledged_at is not None:
            hours = _hours(ticket.acknowledged_at - ticket.requested_at)
            ack_hours.append(hours)
            due += 1
            on_time += hours <= _hours(deadline)
        elif ticket.requested_at + deadline <= now and ticket.status in OPEN_STATUSES:
            due += 1  # the deadline passed with nobody acknowledging it
        if ticket.resolved_at is not None:
            resolve_hours.append(_hours(ticket.resolved_at - ticket.requested_at))
    open_tickets = (
        (
            await session.execute(
                select(Ticket.requested_at).where(Ticket.status.in_(OPEN_STATUSES))
            )
        )
        .scalars()
        .all()
    )
    backlog = Counter(_bucket(now - requested) for requested in open_tickets)
    moderation = (
        await session.execute(
            select(AuditEntry.rule_id, func.count())
            .where(
                AuditEntry.rule_id.is_not(None),
                AuditEntry.at >= since,
                AuditEntry.dry_run.is_(False),
            )
            .group_by(AuditEntry.rule_id)
            .order_by(func.count().desc(), AuditEntry.rule_id)
        )
    ).all()
    departments = sorted({d for _, d in by_department})
    categories = sorted({c for _, c in by_category})
    return {
        "generated_at": now.astimezone(zone).isoformat(timespec="seconds"),
        "timezone": settings.tickets.timezone,
        "window": {"from": months[0], "to": months[-1]},
        "months": months,
        "totals": {
            "received": len(tickets),
            "open": sum(status_counts[s] for s in OPEN_STATUSES),
            "resolved": len(resolve_hours),
            "awaiting_confirmation": status_counts["resuelto"],
            "closed": status_counts["cerrado"],
            "rejected": status_counts["rechazado"],
            "duplicates": status_counts["duplicado"],
        },
        "by_month_department": [
            {
                "month": m,
                "department": d,
                "department_name": department_name(d),
                "count": by_department[(m, d)],
            }
            for m in months
            for d in departments
            if by_department[(m, d)]
        ],
        "by_month_category": [
            {
                "month": m,
                "category": c,
                "category_name": category_label(c),
                "count": by_category[(m, c)],
            }
            for m in months
            for c in categories
            if by_category[(m, c)]
        ],
        "acknowledgement": {
            "deadline_hours": round(_hours(deadline), 2),
            "due": due,
            "on_time": on_time,
            "share_on_time": round(on_time / due, 4) if due else None,
            "count": len(ack_hours),
            "median_hours": median(ack_hours),
            "p90_hours": p90(ack_hours),
        },
        "resolution": {
            "count": len(resolve_hours),
            "median_hours": median(resolve_hours),
            "p90_hours": p90(resolve_hours),
        },
        "backlog": [{"bucket": name, "count": backlog[name]} for name, _ in BACKLOG_BUCKETS],
        "moderation_by_rule": [{"rule_id": rule, "count": count} for rule, count in moderation],
    }


def _bucket(age: timedelta) -> str:
    for name, limit in BACKLOG_BUCKETS:
        if limit is None or age < limit:
            return name
    return BACKLOG_BUCKETS[-1][0]


def _months(since: datetime, now: datetime, settings: Settings) -> list[str]:
    local = now.astimezone(settings.tickets.zone)
    year, month = since.year, since.month
    result = []
    while (year, month) <= (local.year, local.month):
        result.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return result

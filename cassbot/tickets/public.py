"""The public view of a ticket (Open311 and the CSV): no names, phones, chat ids or groups."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from cassbot.storage.models import Ticket
from cassbot.tickets.catalog import (
    SERVICE_CODES,
    category_label,
    department_name,
    open311_status,
)
from cassbot.tickets.privacy import redact

if TYPE_CHECKING:
    from cassbot.directory import Directory
    from cassbot.settings import Settings

MUNICIPALITY = "Jilotepec, Estado de México"


def iso(moment: datetime | None, settings: Settings) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(settings.tickets.zone).isoformat(timespec="seconds")


def service_notice(category: str, settings: Settings) -> str:
    ack = settings.tickets.ack_deadline.total_seconds() / 3600
    target = settings.tickets.resolution_target(category).total_seconds() / 3600
    return f"Acuse del área en {ack:g} h; atención estimada en {target:g} h."


def updated_at(ticket: Ticket) -> datetime:
    if ticket.status in ("cerrado", "rechazado", "duplicado") and ticket.closed_at:
        return ticket.closed_at
    return ticket.updated_at


def public_request(ticket: Ticket, settings: Settings, directory: Directory) -> dict[str, Any]:
    community = directory.community(ticket.community_id)
    address = ", ".join(
        part
        for part in (
            redact(ticket.place) if ticket.place else None,
            community.name if community else None,
            MUNICIPALITY,
        )
        if part
    )
    return {
        "service_request_id": ticket.folio,
        "status": open311_status(ticket.status),
        "status_notes": redact(ticket.status_note) if ticket.status_note else None,
        "service_name": category_label(ticket.category),
        "service_code": SERVICE_CODES.get(ticket.category, "otro"),
        "description": ticket.description_public or None,
        "agency_responsible": department_name(ticket.department),
        "service_notice": service_notice(ticket.category, settings),
        "requested_datetime": iso(ticket.requested_at, settings),
        "updated_datetime": iso(updated_at(ticket), settings),
        "expected_datetime": iso(ticket.expected_at, settings),
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": round(ticket.latitude, 4) if ticket.latitude is not None else None,
        "long": round(ticket.longitude, 4) if ticket.longitude is not None else None,
        "media_url": None,  # voice notes and photos are personal until someone reviews them
    }


def extended_attributes(ticket: Ticket, settings: Settings) -> dict[str, Any]:
    deadline = settings.tickets.ack_deadline
    return {
        "status_detail": ticket.status,
        "acknowledged_datetime": iso(ticket.acknowledged_at, settings),
        "closed_datetime": iso(ticket.closed_at, settings),
        "acknowledged_on_time": (
            None
            if ticket.acknowledged_at is None
            else ticket.acknowledged_at - ticket.requested_at <= deadline
        ),
        "affected_count": ticket.affected_count,
        "reopen_count": ticket.reopen_count,
        "channel": ticket.channel,
    }

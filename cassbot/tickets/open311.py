"""Open311 GeoReport v2, read-only, under /open311/v2/ (JSON and XML, as the wiki specifies).

Paths and errors follow the wiki (https://wiki.open311.org/GeoReport_v2/): `requests/{id}`
(the Swagger file's `request/{id}` is served as an alias), errors as a list of
`{code, description}` with the same HTTP status. Extensions: `page`/`page_size` and
`extensions=true`. Requests of private departments (seguridad) are never listed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from aiohttp import web
from sqlalchemy import select

from cassbot.storage.models import Ticket
from cassbot.tickets.catalog import CATEGORY_BY_CODE, services
from cassbot.tickets.public import extended_attributes, public_request

if TYPE_CHECKING:
    from cassbot.app import CassBot

BASE = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-04T00:00:00-06:00"  # when the service catalogue last changed
DEFAULT_WINDOW = timedelta(days=90)
MAX_WINDOW = timedelta(days=90)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _format(request: web.Request) -> str:
    fmt = request.match_info.get("fmt", "").lower()
    if fmt not in CONTENT_TYPES:
        raise Open311Error(400, f"unsupported format '.{fmt}': use .json or .xml")
    return fmt


def _respond(fmt: str, root: str, item: str | None, data: Any, status: int = 200) -> web.Response:
    if fmt == "json":
        return web.Response(
            text=json.dumps(data, ensure_ascii=False),
            status=status,
            content_type="application/json",
            charset="utf-8",
        )
    element = ET.Element(root)
    if item is None:
        _fill(element, data)
    else:
        for entry in data:
            _fill(ET.SubElement(element, item), entry)
    body = ET.tostring(element, encoding="unicode")
    return web.Response(
        text=f'<?xml version="1.0" encoding="UTF-8"?>\n{body}',
        status=status,
        content_type="text/xml",
        charset="utf-8",
    )


_XML_LISTS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                grandchild = ET.SubElement(child, _XML_LISTS.get(key, "item"))
                if isinstance(entry, dict):
                    _fill(grandchild, entry)
                else:
                    grandchild.text = str(entry)
        elif isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)


def _error(fmt: str, status: int, description: str) -> web.Response:
    return _respond(
        fmt, "errors", "error", [{"code": status, "description": description}], status=status
    )


def _param(request: web.Request, name: str) -> str | None:
    value = request.query.get(name, "").strip()
    return value or None  # an empty parameter means the same as an absent one


def _parse_moment(name: str, value: str, app: CassBot) -> datetime:
    zone = app.settings.tickets.zone
    try:
        if len(value) == 10:
            moment = datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time())
        else:
            moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C date-time such as 2026-12-01T00:00:00-06:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not 2000 <= moment.year <= 2100:  # also keeps the date arithmetic below in range
        raise Open311Error(400, f"{name} must be between the years 2000 and 2100")
    return moment


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = _param(request, name)
    if raw is None:
        return default
    # fullmatch, not isdigit(): "²" is a digit to isdigit() but not to int()
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise Open311Error(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def open311_routes(app: CassBot) -> list[web.RouteDef]:
    settings = app.settings
    tickets_settings = settings.tickets

    def check_jurisdiction(request: web.Request) -> None:
        given = _param(request, "jurisdiction_id")
        wanted = tickets_settings.jurisdiction_id
        if given and wanted and given != wanted:
            raise Open311Error(404, f"jurisdiction_id '{given}' not found")

    def handler(func_: Any) -> Any:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            fmt = request.match_info.get("fmt", "json").lower()
            fmt = fmt if fmt in CONTENT_TYPES else "json"
            try:
                fmt = _format(request)
                check_jurisdiction(request)
                result: web.StreamResponse = await func_(request, fmt)
                return result
            except Open311Error as exc:
                return _error(fmt, exc.status, exc.description)

        return wrapped

    def service_list() -> list[dict[str, Any]]:
        return [
            {
                "service_code": s.code,
                "service_name": s.name,
                "description": f"{s.name}. Atiende: {s.department_name}.",
                "metadata": False,
                "type": "realtime",
                "keywords": s.keywords,
                "group": s.department_name,
            }
            for s in services(tickets_settings.triage_department)
        ]

    async def discovery(request: web.Request, fmt: str) -> web.Response:
        base = app.settings.server.public_url or f"{request.scheme}://{request.host}"
        data = {
            "changeset": CHANGESET,
            "contact": tickets_settings.contact,
            "key_service": "No se necesita clave para consultar (solo lectura).",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{base}{BASE}",
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": list(CONTENT_TYPES.values()),
                }
            ],
        }
        return _respond(fmt, "discovery", None, data)

    async def service_index(request: web.Request, fmt: str) -> web.Response:
        return _respond(fmt, "services", "service", service_list())

    async def service_definition(request: web.Request, fmt: str) -> web.Response:
        code = request.match_info["code"]
        if code not in CATEGORY_BY_CODE:
            raise Open311Error(404, f"service_code '{code}' not found")
        return _respond(fmt, "service_definition", None, {"service_code": code, "attributes": []})

    async def request_list(request: web.Request, fmt: str) -> web.Response:
        query = select(Ticket).where(Ticket.is_public.is_(True))
        ids = _param(request, "service_request_id")
        if ids:  # overrides every other filter, as the spec says
            folios = [i.strip().upper() for i in ids.split(",") if i.strip()]
            query = query.where(Ticket.folio.in_(folios))
        else:
            query = _filters(request, query)
        page = _int_param(request, "page", 1, 1, 1_000_000)
        size = _int_param(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        extensions = (_param(request, "extensions") or "").lower() == "true"
        async with app.db.read() as session:
            rows = (
                (
                    await session.execute(
                        query.order_by(Ticket.requested_at.desc(), Ticket.id.desc())
                        .offset((page - 1) * size)
                        .limit(size)
                    )
                )
                .scalars()
                .all()
            )
        return _respond(fmt, "service_requests", "request", [_public(t, extensions) for t in rows])

    def _filters(request: web.Request, query: Any) -> Any:
        codes = _param(request, "service_code")
        if codes:
            wanted = [c.strip() for c in codes.split(",") if c.strip()]
            unknown = [c for c in wanted if c not in CATEGORY_BY_CODE]
            if unknown:
                raise Open311Error(400, f"unknown service_code: {', '.join(unknown)}")
            query = query.where(Ticket.category.in_([CATEGORY_BY_CODE[c] for c in wanted]))
        statuses = _param(request, "status")
        if statuses:
            wanted_status = {s.strip().lower() for s in statuses.split(",") if s.strip()}
            if not wanted_status <= {"open", "closed"}:
                raise Open311Error(400, "status must be open, closed, or open,closed")
            from cassbot.tickets.catalog import OPEN_STATUSES

            if wanted_status == {"open"}:
                query = query.where(Ticket.status.in_(OPEN_STATUSES))
            elif wanted_status == {"closed"}:
                query = query.where(Ticket.status.not_in(OPEN_STATUSES))
        start_raw, end_raw = _param(request, "start_date"), _param(request, "end_date")
        start = _parse_moment("start_date", start_raw, app) if start_raw else None
        end = _parse_moment("end_date", end_raw, app) if end_raw else None
        if start is None and end is None:
            end = app.clock.now()
        if start is None:
            assert end is not None
            start = end - DEFAULT_WINDOW
        if end is None:
            end = start + DEFAULT_WINDOW
        if end < start:
            raise Open311Error(400, "end_date is before start_date")
        if end - start > MAX_WINDOW:
            raise Open311Error(400, "the date range may span at most 90 days")
        return query.where(Ticket.requested_at >= start, Ticket.requested_at <= end)

    def _public(ticket: Ticket, extensions: bool) -> dict[str, Any]:
        data = public_request(ticket, settings, app.directory)
        if extensions:
            data["extended_attributes"] = extended_attributes(ticket, settings)
        return data

    async def single_request(request: web.Request, fmt: str) -> web.Response:
        folio = request.match_info["id"].upper()
        async with app.db.read() as session:
            ticket = (
                await session.execute(
                    select(Ticket).where(Ticket.folio == folio, Ticket.is_public.is_(True))
                )
            ).scalar_one_or_none()
        if ticket is None:
            raise Open311Error(404, f"service_request_id '{folio}' not found")
        extensions = (_param(request, "extensions") or "").lower() == "true"
        return _respond(fmt, "service_requests", "request", [_public(ticket, extensions)])

    async def not_found(request: web.Request) -> web.Response:
        tail = request.match_info.get("tail", "")
        fmt = "xml" if tail.endswith(".xml") else "json"
        return _error(fmt, 404, f"no such resource: {BASE}/{tail}")

    fmt = "{fmt:[A-Za-z0-9]+}"
    return [
        web.get(f"{BASE}/discovery.{fmt}", handler(discovery)),
        web.get(f"{BASE}/services.{fmt}", handler(service_index)),
        web.get(f"{BASE}/services/{{code:[^/.]+}}.{fmt}", handler(service_definition)),
        web.get(f"{BASE}/requests.{fmt}", handler(request_list)),
        web.get(f"{BASE}/requests/{{id:[^/.]+}}.{fmt}", handler(single_request)),
        web.get(f"{BASE}/request/{{id:[^/.]+}}.{fmt}", handler(single_request)),
        web.get(f"{BASE}/{{tail:.*}}", not_found),
    ]

"""Public pages and data: /transparencia, /api/v1/stats, the CSV download, Open311."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aiohttp import web
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from cassbot.tickets import charts
from cassbot.tickets.export import export_csv
from cassbot.tickets.open311 import open311_routes
from cassbot.tickets.stats import compute_stats

if TYPE_CHECKING:
    from cassbot.app import CassBot

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("cassbot.tickets", "templates"),
                PackageLoader("cassbot.web", "templates"),
            ]
        ),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} de {year}"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:g} h"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def build_charts(stats: dict[str, Any]) -> list[dict[str, Any]]:
    months = stats["months"]
    departments = sorted({r["department_name"] for r in stats["by_month_department"]})
    counts = {(r["month"], r["department_name"]): r["count"] for r in stats["by_month_department"]}
    series = [(d, [counts.get((m, d), 0) for m in months]) for d in departments]
    per_category: dict[str, int] = {}
    for row in stats["by_month_category"]:
        per_category[row["category_name"]] = (
            per_category.get(row["category_name"], 0) + row["count"]
        )
    categories = sorted(per_category.items(), key=lambda kv: (-kv[1], kv[0]))
    backlog = [(r["bucket"], r["count"]) for r in stats["backlog"]]
    rules = [(r["rule_id"], r["count"]) for r in stats["moderation_by_rule"]]
    return [
        {
            "id": "por-area",
            "title": "Reportes por mes y área",
            "svg": charts.stacked_columns("por-area", "Reportes por mes y área", months, series),
            "headers": ["Mes", "Área", "Reportes"],
            "rows": [
                [month_name(r["month"]), r["department_name"], r["count"]]
                for r in stats["by_month_department"]
            ],
        },
        {
            "id": "por-categoria",
            "title": "Reportes por tipo de servicio (últimos 12 meses)",
            "svg": charts.horizontal_bars(
                "por-categoria", "Reportes por tipo de servicio", categories
            ),
            "headers": ["Mes", "Servicio", "Reportes"],
            "rows": [
                [month_name(r["month"]), r["category_name"], r["count"]]
                for r in stats["by_month_category"]
            ],
        },
        {
            "id": "pendientes",
            "title": "Reportes abiertos por antigüedad",
            "svg": charts.horizontal_bars(
                "pendientes", "Reportes abiertos por antigüedad", backlog
            ),
            "headers": ["Antigüedad", "Reportes abiertos"],
            "rows": [list(item) for item in backlog],
        },
        {
            "id": "moderacion",
            "title": "Acciones de moderación por regla",
            "svg": charts.horizontal_bars("moderacion", "Acciones de moderación por regla", rules),
            "headers": ["Regla", "Acciones"],
            "rows": [list(item) for item in rules],
        },
    ]


def ticket_routes(app: CassBot) -> list[web.RouteDef]:
    async def stats_of() -> dict[str, Any]:
        async with app.db.read() as session:
            return await compute_stats(session, app.settings, app.clock.now())

    async def page(request: web.Request) -> web.Response:
        stats = await stats_of()
        body = (
            _environment()
            .get_template("transparencia.html")
            .render(
                stats=stats,
                charts=build_charts(stats),
                deadline=f"{stats['acknowledgement']['deadline_hours']:g}",
                generated=stats["generated_at"][:16].replace("T", " "),
                month_name=month_name,
                hours=_hours,
                percent=_percent,
            )
        )
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    async def api(request: web.Request) -> web.Response:
        return web.json_response(await stats_of(), dumps=_dumps)

    async def csv_download(request: web.Request) -> web.Response:
        async with app.db.read() as session:
            body = await export_csv(session, app.settings, app.clock.now())
        return web.Response(
            text=body,
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="reportes-cass.csv"'},
        )

    return [
        web.get("/transparencia", page),
        web.get("/api/v1/stats", api),
        web.get("/transparencia/datos.csv", csv_download),
        *open311_routes(app),
    ]


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)

"""The public side: /transparencia in headless Chromium, /api/v1/stats, the CSV export and
the Open311 GeoReport v2 API validated against the Open311 project's JSON Schemas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import aiohttp
import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from cassbot.app import CassBot
from cassbot.cli.main import main as cli_main
from cassbot.clock import ManualClock
from cassbot.storage.models import AuditEntry
from tests.contract_files import contract_path
from tests.helpers import settle
from tests.tickets.conftest import OFFICIALS

HOUR = 3600.0


def contract_dir() -> Path:
    """The team's shared contract when present, else the copy vendored in tests/contracts."""
    return contract_path("open311-georeport-v2")


def validator(name: str) -> Draft4Validator:
    folder = contract_dir()
    registry = Registry().with_resources(
        (
            path.name,
            Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4),
        )
        for path in folder.glob("*.json")
        if path.name != "swagger.json"
    )
    schema = json.loads((folder / name).read_text())
    return Draft4Validator(
        schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


@pytest.fixture
async def scenario(make_settings, make_bot, tmp_path) -> tuple[CassBot, ManualClock]:  # type: ignore[no-untyped-def]
    """Four requests at 09:00 local; acknowledged after 1 h (police), 2 h (water) and 30 h
    (pothole); the lamp never; the water one resolved after 10 h."""
    clock = ManualClock()
    settings = make_settings(
        officials=[
            *OFFICIALS,
            {
                "name": "Seguridad Ciudadana",
                "department": "seguridad",
                "role": "director",
                "communities": ["*"],
                "local": "oficial-seguridad",
            },
        ]
    )
    bot = await make_bot(settings, clock=clock)
    local = bot.adapters.get("local")
    for persona, text in [
        ("vecina-lupita", "Hay una fuga de agua en la calle Hidalgo, mi cel 761 123 4567"),
        ("vecino-beto", "Hay un bache enorme en la calle Morelos, urge"),
        ("vecina-karla", "La lámpara del poste de la calle Juárez está fundida"),
        ("vecino-juan", "Me robaron la bicicleta afuera de la tienda"),
    ]:
        await local.post("canalejas", persona, text)
        await settle(bot)

    async def at(hours: float, persona: str, command: str) -> None:
        clock.set(ManualClock().now())
        clock.advance(hours * HOUR)
        await local.post(f"dm-{persona}", persona, command)
        await settle(bot)

    await at(1, "oficial-seguridad", "/recibido JIL-2026-000004")
    await at(2, "oficial-odapas", "/recibido JIL-2026-000001")
    await at(10, "oficial-odapas", "/resuelto JIL-2026-000001 Tubería cambiada")
    await at(30, "oficial-servicios", "/recibido JIL-2026-000002")
    async with bot.db.transaction() as session:
        for rule, dry in [
            ("R2-insultos", False),
            ("R2-insultos", False),
            ("R4-spam", False),
            ("R4-spam", True),
        ]:
            session.add(
                AuditEntry(
                    at=clock.now(),
                    community_id="canalejas",
                    actor_kind="bot",
                    actor_name="cassbot",
                    action="message_deleted",
                    rule_id=rule,
                    detail={},
                    dry_run=dry,
                )
            )
    return bot, clock


EXPECTED = {
    "received": 4,
    "open": 3,
    "share_on_time": 0.5,
    "ack_median": 2.0,
    "ack_p90": 30.0,
    "resolve_median": 10.0,
    "resolve_p90": 10.0,
}


async def get(bot: CassBot, path: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{bot.port}{path}") as r,
    ):
        return r.status, r.headers.get("Content-Type", ""), await r.text()


async def test_the_stats_api_matches_the_database(scenario) -> None:  # type: ignore[no-untyped-def]
    bot, _ = scenario
    status, _, body = await get(bot, "/api/v1/stats")
    assert status == 200
    stats = json.loads(body)
    assert stats["totals"]["received"] == EXPECTED["received"]
    assert stats["totals"]["open"] == EXPECTED["open"]
    ack = stats["acknowledgement"]
    assert (ack["due"], ack["on_time"], ack["share_on_time"]) == (4, 2, 0.5)
    assert (ack["median_hours"], ack["p90_hours"]) == (2.0, 30.0)
    assert (stats["resolution"]["median_hours"], stats["resolution"]["p90_hours"]) == (10.0, 10.0)
    assert {(r["department"], r["count"]) for r in stats["by_month_department"]} == {
        ("agua", 1),
        ("servicios", 2),
        ("seguridad", 1),
    }
    assert stats["backlog"][1] == {"bucket": "1–7 días", "count": 3}
    assert stats["moderation_by_rule"] == [
        {"rule_id": "R2-insultos", "count": 2},
        {"rule_id": "R4-spam", "count": 1},
    ]
    assert "Lupita" not in body
    assert "761" not in body


@pytest.mark.browser
@pytest.mark.timeout(90)
async def test_the_transparency_page_renders_its_charts_and_figures(scenario, browser) -> None:  # type: ignore[no-untyped-def]
    bot, _ = scenario
    page = await browser.new_page()
    await page.route(
        "**/*",
        lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
    )
    await page.goto(f"http://127.0.0.1:{bot.port}/transparencia")
    assert await page.inner_text("h1") == "Transparencia: reportes de servicios públicos"
    assert await page.inner_text("[data-testid=received]") == "4"
    assert await page.inner_text("[data-testid=ack-share]") == "50 %"
    assert await page.inner_text("[data-testid=ack-median]") == "2 h"
    assert await page.inner_text("[data-testid=ack-p90]") == "30 h"
    assert await page.inner_text("[data-testid=resolve-median]") == "10 h"
    assert await page.inner_text("[data-testid=open]") == "3"
    charts = page.locator("svg.chart[role=img]")
    assert await charts.count() == 4
    for index in range(4):
        box = await charts.nth(index).bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 20
    assert await page.locator("#por-area rect[fill]").count() >= 3
    # Every chart has its numbers as a table too (opened here like a person would).
    for summary in await page.locator("details summary").all():
        await summary.click()
    rules = await page.inner_text("[data-testid=table-moderacion]")
    assert "R2-insultos" in rules
    assert "R4-spam" in rules
    text = await page.inner_text("body")
    for private in ("Lupita", "Beto", "761 123 4567", "bicicleta"):
        assert private not in text
    await page.screenshot(
        path=str(Path(bot.settings.data_dir) / "transparencia.png"), full_page=True
    )


async def test_open311_responses_validate_against_the_schemas(scenario) -> None:  # type: ignore[no-untyped-def]
    bot, _ = scenario
    status, ctype, body = await get(bot, "/open311/v2/services.json")
    assert status == 200
    assert ctype.startswith("application/json")
    services = json.loads(body)
    validator("services.json").validate(services)
    assert {"odapas-fuga", "sp-bache", "pc-incendio"} <= {s["service_code"] for s in services}

    status, _, body = await get(bot, "/open311/v2/services/odapas-fuga.json")
    validator("service-definition.json").validate(json.loads(body))

    status, _, body = await get(bot, "/open311/v2/requests.json")
    requests = json.loads(body)
    validator("requests.json").validate(requests)
    for item in requests:
        validator("request.json").validate(item)
    by_id = {r["service_request_id"]: r for r in requests}
    # The police report counts in the stats but is never listed.
    assert set(by_id) == {"JIL-2026-000001", "JIL-2026-000002", "JIL-2026-000003"}
    water = by_id["JIL-2026-000001"]
    assert water["status"] == "closed"
    assert water["service_code"] == "odapas-fuga"
    assert water["requested_datetime"] == "2026-12-01T09:00:00-06:00"
    assert water["agency_responsible"] == "ODAPAS (agua potable)"
    assert water["address"] == "calle Hidalgo, Villa de Canalejas, Jilotepec, Estado de México"
    assert "[teléfono]" in water["description"]
    assert "761" not in body
    for private in ("Lupita", "vecina", "dm-", "+52"):
        assert private not in body

    status, _, body = await get(bot, "/open311/v2/requests/JIL-2026-000002.json?extensions=true")
    [single] = json.loads(body)
    validator("request.json").validate(single)
    assert single["extended_attributes"]["acknowledged_on_time"] is False

    status, ctype, body = await get(bot, "/open311/v2/requests.xml?status=open")
    assert status == 200
    assert ctype.startswith("text/xml")
    assert body.startswith('<?xml version="1.0"')
    root = ET.fromstring(body.split("\n", 1)[1])
    assert root.tag == "service_requests"
    assert sorted(r.findtext("service_request_id") for r in root) == [
        "JIL-2026-000002",
        "JIL-2026-000003",
    ]

    status, _, body = await get(bot, "/open311/v2/discovery.json")
    discovery = json.loads(body)
    assert discovery["endpoints"][0]["formats"] == ["application/json", "text/xml"]
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")


@pytest.mark.parametrize(
    ("path", "status", "fragment"),
    [
        ("/open311/v2/requests/JIL-2026-000004.json", 404, "not found"),  # private
        ("/open311/v2/requests/JIL-2026-000999.xml", 404, "not found"),
        ("/open311/v2/services/nada.json", 404, "not found"),
        ("/open311/v2/requests.json?status=abierto", 400, "status"),
        ("/open311/v2/requests.json?start_date=ayer", 400, "start_date"),
        ("/open311/v2/requests.json?start_date=2026-01-01&end_date=2026-12-01", 400, "90 days"),
        ("/open311/v2/requests.json?page_size=5000", 400, "page_size"),
        ("/open311/v2/requests.json?service_code=helados", 400, "service_code"),
        ("/open311/v2/requests.csv", 400, "format"),
        ("/open311/v2/tokens/abc.json", 404, "no such resource"),
        ("/open311/v2/requests.json?start_date=9999-12-31", 400, "2100"),
        ("/open311/v2/requests.json?end_date=0001-01-01", 400, "2000"),
        ("/open311/v2/requests.json?page=%C2%B2", 400, "page"),
    ],
)
async def test_open311_errors(scenario, path: str, status: int, fragment: str) -> None:  # type: ignore[no-untyped-def]
    bot, _ = scenario
    got, _, body = await get(bot, path)
    assert got == status
    if path.endswith(".xml"):
        root = ET.fromstring(body.split("\n", 1)[1])
        errors: list[dict[str, Any]] = [
            {"code": int(e.findtext("code") or 0), "description": e.findtext("description")}
            for e in root
        ]
    else:
        errors = json.loads(body)
    assert errors[0]["code"] == status
    assert fragment in errors[0]["description"]


async def test_paging_and_empty_parameters(scenario) -> None:  # type: ignore[no-untyped-def]
    bot, _ = scenario
    _, _, first = await get(bot, "/open311/v2/requests.json?page_size=2&page=1&status=")
    _, _, second = await get(bot, "/open311/v2/requests.json?page_size=2&page=2")
    ids = [r["service_request_id"] for r in json.loads(first) + json.loads(second)]
    assert ids == ["JIL-2026-000003", "JIL-2026-000002", "JIL-2026-000001"]


async def test_the_csv_export_from_the_cli_and_the_web_agree(scenario, capsys) -> None:  # type: ignore[no-untyped-def]
    bot, _ = scenario
    _, ctype, body = await get(bot, "/transparencia/datos.csv")
    assert ctype.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["service_request_id"] for r in rows] == [
        "JIL-2026-000001",
        "JIL-2026-000002",
        "JIL-2026-000003",
    ]
    assert rows[0]["acknowledged_on_time"] == "true"
    assert rows[1]["acknowledged_on_time"] == "false"
    assert "Lupita" not in body
    assert "761" not in body
    assert bot.db.url.startswith("sqlite")  # the CLI below reads the same file
    config = Path(bot.settings.data_dir) / "cassbot.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{bot.settings.data_dir}"\n'
        '[[communities]]\nid = "canalejas"\nname = "Villa de Canalejas"\n'
    )
    out = Path(bot.settings.data_dir) / "export.csv"
    import asyncio

    code = await asyncio.to_thread(
        cli_main, ["tickets", "export", "--config", str(config), "--out", str(out)]
    )
    assert code == 0
    assert [r["service_request_id"] for r in csv.DictReader(out.open())] == [
        "JIL-2026-000001",
        "JIL-2026-000002",
        "JIL-2026-000003",
    ]
    assert "3 tickets" in capsys.readouterr().out


def test_csv_cells_never_start_a_formula() -> None:
    from cassbot.csvsafe import spreadsheet_safe

    assert spreadsheet_safe('=HYPERLINK("http://x","clic")') == '\'=HYPERLINK("http://x","clic")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("Fuga en la calle 5") == "Fuga en la calle 5"
    assert spreadsheet_safe(-3) == -3  # numbers stay numbers

"""The registration commands: panel accounts, review from the terminal, roster export, bans,
and a person's data requests (export and erasure)."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.cli.main import main
from cassbot.config import load_settings
from cassbot.panel.passwords import verify_password
from cassbot.registration.requests import NewRequest, submit_request
from cassbot.storage.migrate import upgrade
from cassbot.storage.models import (
    AuditEntry,
    CommunityBan,
    Identity,
    PanelUser,
    Person,
    RegistrationRequest,
)

CONFIG = """
[paths]
data_dir = "{data}"

[[communities]]
id = "canalejas"
name = "Villa de Canalejas"
[[communities.groups]]
channel = "local"
chat_id = "canalejas"
name = "CASS Canalejas"

[[officials]]
name = "Directora de ODAPAS"
department = "agua"
local = "oficial-odapas"

[[officials]]
name = "Gobierno Digital"
department = "gobierno_digital"
role = "administrador"
local = "oficial-gd"
"""


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "cassbot.toml"
    path.write_text(CONFIG.format(data=tmp_path / "var"), encoding="utf-8")
    return path


async def run(argv: list[str], stdin: str = "") -> int:
    def call() -> int:
        import sys

        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            return main(argv)
        finally:
            sys.stdin = saved

    return await asyncio.to_thread(call)


@pytest.fixture
async def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = write_config(tmp_path)
    bot = CassBot(load_settings(config))
    await upgrade(bot.db)
    await bot.sync_config()
    yield bot, config
    await bot.db.close()


async def test_panel_accounts(app, capsys) -> None:  # type: ignore[no-untyped-def]
    bot, config = app
    code = await run(
        [
            "panel",
            "add-user",
            "Ana.GD",
            "--role",
            "gobierno_digital",
            "--official",
            "gobierno digital",
            "--password-stdin",
            "--config",
            str(config),
        ],
        "una-contraseña-larga\n",
    )
    assert code == 0
    code = await run(
        [
            "panel",
            "add-user",
            "corta",
            "--role",
            "administrador",
            "--password-stdin",
            "--config",
            str(config),
        ],
        "1234\n",
    )
    assert code == 2
    assert "at least 12" in capsys.readouterr().err
    code = await run(
        [
            "panel",
            "add-user",
            "depto",
            "--role",
            "departamento",
            "--password-stdin",
            "--config",
            str(config),
        ],
        "una-contraseña-larga\n",
    )
    assert code == 2  # a department account needs its official
    async with bot.db.read() as session:
        users = (await session.execute(select(PanelUser))).scalars().all()
    assert [(u.username, u.role, u.official_name) for u in users] == [
        ("ana.gd", "gobierno_digital", "Gobierno Digital")
    ]
    assert verify_password(users[0].password_hash, "una-contraseña-larga")
    assert "una-contraseña-larga" not in users[0].password_hash
    code = await run(
        ["panel", "set-password", "ana.gd", "--password-stdin", "--config", str(config)],
        "otra-contraseña-larga\n",
    )
    assert code == 0
    capsys.readouterr()
    assert await run(["panel", "list-users", "--config", str(config)]) == 0
    assert "ana.gd" in capsys.readouterr().out
    async with bot.db.read() as session:
        user = (await session.execute(select(PanelUser))).scalar_one()
    assert verify_password(user.password_hash, "otra-contraseña-larga")


async def test_review_from_the_terminal(app, capsys) -> None:  # type: ignore[no-untyped-def]
    bot, config = app
    async with bot.db.transaction() as session:
        for name, phone in (
            ("Ana Pérez López", "+527611234567"),
            ("Juan Pérez Soto", "+527611234568"),
        ):
            await submit_request(
                bot,
                session,
                NewRequest(full_name=name, phone=phone, community_id="canalejas"),
                bot.clock.now(),
            )
    assert await run(["registros", "list", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "REG-" in out
    assert "Ana Pérez López" in out
    folio_a, folio_b = sorted(line.split()[0] for line in out.splitlines())
    code = await run(
        ["registros", "approve", folio_a, "--official", "Nadie", "--config", str(config)]
    )
    assert code == 2  # decisions are signed by a configured official
    code = await run(
        [
            "registros",
            "approve",
            folio_a.lower().replace("-", " "),
            "--official",
            "Gobierno Digital",
            "--config",
            str(config),
        ]
    )
    assert code == 0
    assert "CASS Canalejas: add" in capsys.readouterr().out
    code = await run(
        [
            "registros",
            "reject",
            folio_b,
            "--official",
            "Gobierno Digital",
            "--reason",
            "No vive en la comunidad",
            "--config",
            str(config),
        ]
    )
    assert code == 0
    code = await run(
        [
            "registros",
            "reject",
            folio_b,
            "--official",
            "Gobierno Digital",
            "--reason",
            "otra vez",
            "--config",
            str(config),
        ]
    )
    assert code == 1
    async with bot.db.read() as session:
        statuses = {
            r.folio: (r.status, r.decided_by)
            for r in (await session.execute(select(RegistrationRequest))).scalars()
        }
    assert statuses == {
        folio_a: ("approved", "Gobierno Digital"),
        folio_b: ("rejected", "Gobierno Digital"),
    }


async def test_roster_export_bans_and_data_requests(app, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bot, config = app
    from cassbot.events import UserRef
    from cassbot.people import ensure_membership, group_by_chat, identity_for

    async with bot.db.transaction() as session:
        group = await group_by_chat(session, "local", "canalejas")
        identity, person = await identity_for(
            session,
            UserRef(
                channel="local",
                user_id="vecina-lupita",
                display_name="Lupita Martínez",
                phone="+527615550101",
            ),
        )
        await ensure_membership(session, group, identity, now=bot.clock.now())
        session.add(
            CommunityBan(
                community_id="canalejas",
                person_id=person.id,
                reason="amenazas",
                banned_by="Directora de ODAPAS",
            )
        )
    out_file = tmp_path / "padron.csv"
    assert (
        await run(
            [
                "roster",
                "export",
                "--community",
                "canalejas",
                "-o",
                str(out_file),
                "--config",
                str(config),
            ]
        )
        == 0
    )
    text = out_file.read_text(encoding="utf-8")
    assert "Lupita Martínez" in text
    assert "+527615550101" in text
    assert (
        await run(
            [
                "roster",
                "export",
                "--community",
                "canalejas",
                "--no-phones",
                "--config",
                str(config),
            ]
        )
        == 0
    )
    assert "+527615550101" not in capsys.readouterr().out
    # Export: everything about the number, as JSON.
    assert await run(["privacy", "export", "761 555 0101", "--config", str(config)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["phone"] == "+527615550101"
    assert data["identities"][0]["user_id"] == "vecina-lupita"
    assert data["bans"][0]["reason"] == "amenazas"
    # Erasure is refused while the ban is active, then allowed once it is lifted.
    erase = [
        "privacy",
        "erase",
        "+527615550101",
        "--official",
        "Gobierno Digital",
        "--yes",
        "--config",
        str(config),
    ]
    assert await run(erase) == 1
    assert "expulsión vigente" in capsys.readouterr().err
    async with bot.db.read() as session:
        ban = (await session.execute(select(CommunityBan))).scalar_one()
    assert (
        await run(
            [
                "bans",
                "lift",
                str(ban.id),
                "--official",
                "Gobierno Digital",
                "--reason",
                "Cumplió su sanción",
                "--config",
                str(config),
            ]
        )
        == 0
    )
    assert await run(erase) == 0
    async with bot.db.read() as session:
        person = (await session.execute(select(Person))).scalar_one()
        identity = (await session.execute(select(Identity))).scalar_one()
        audit = [a.action for a in (await session.execute(select(AuditEntry))).scalars()]
    assert person.phone is None
    assert person.display_name is None
    assert identity.user_id.startswith("borrado-")
    assert identity.phone is None
    assert "ban_lifted" in audit
    assert "privacy_erased" in audit
    capsys.readouterr()
    assert await run(["privacy", "export", "+527615550101", "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["persons"] == []


async def test_an_appeal_cannot_be_decided_by_the_official_who_expelled(app, capsys) -> None:  # type: ignore[no-untyped-def]
    from cassbot.registration.appeals import file_appeal

    bot, config = app
    async with bot.db.transaction() as session:
        person = Person(display_name="Lupita Martínez", phone="+527615550101")
        session.add(person)
        await session.flush()
        ban = CommunityBan(
            community_id="canalejas",
            person_id=person.id,
            reason="amenazas",
            banned_by="Directora de ODAPAS",
        )
        session.add(ban)
        await session.flush()
        folio = (
            await file_appeal(
                bot, session, ban=ban, text="Fue un error", source="web", now=bot.clock.now()
            )
        ).folio
    capsys.readouterr()
    assert await run(["appeals", "list", "--config", str(config)]) == 0
    assert f"{folio}  pending" in capsys.readouterr().out
    code = await run(
        [
            "appeals",
            "decide",
            folio,
            "--official",
            "directora de odapas",
            "--uphold",
            "--config",
            str(config),
        ]
    )
    assert code == 1
    assert "otro funcionario" in capsys.readouterr().out
    code = await run(
        [
            "appeals",
            "decide",
            folio,
            "--official",
            "Gobierno Digital",
            "--reject",
            "--config",
            str(config),
        ]
    )
    assert code == 1  # rejecting needs a reason the person will read
    code = await run(
        [
            "appeals",
            "decide",
            folio,
            "--official",
            "Gobierno Digital",
            "--reject",
            "--reason",
            "La falta fue grave",
            "--config",
            str(config),
        ]
    )
    assert code == 0
    assert f"{folio}: rejected by Gobierno Digital" in capsys.readouterr().out
    async with bot.db.read() as session:
        ban = (await session.execute(select(CommunityBan))).scalar_one()
    assert ban.lifted_at is None

"""The bot's own history as training labels, and the moderation story in the playground page."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from cassbot.cli.main import main
from cassbot.storage.models import ModerationCase
from tests.enforcement.conftest import playground
from tests.helpers import settle


async def test_export_labels_from_admin_decisions(
    mod_settings, make_bot, tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    await local.post("canalejas", "vecino-beto", "el pendejo del vecino dejó la basura")
    await local.post("canalejas", "vecina-karla", "idiota")
    await local.post("canalejas", "vecino-juan", "eres un pendejo")
    await settle(bot)
    async with bot.db.read() as session:
        review1, review2, sanction = (
            (await session.execute(select(ModerationCase).order_by(ModerationCase.id)))
            .scalars()
            .all()
        )
    await local.post("dm-oficial-gd", "oficial-gd", f"/confirmar {review1.id}")
    await local.post("dm-oficial-gd", "oficial-gd", f"/descartar {review2.id}")
    await local.post("dm-oficial-gd", "oficial-gd", f"/deshacer {sanction.id}")
    await settle(bot)
    out = tmp_path / "labels.csv"
    monkeypatch.setenv("CASSBOT__DATABASE__URL", bot.settings.database_url)
    argv = ["moderation", "export-labels", "--config", str(repo_root / "config" / "cassbot.toml"),
            "--out", str(out)]  # fmt: skip
    code = await asyncio.to_thread(main, argv)  # the CLI runs its own event loop
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {(r["text"], r["label"]) for r in rows} == {
        ("el pendejo del vecino dejó la basura", "offensive"),
        ("idiota", "not"),
        ("eres un pendejo", "not"),
    }


@pytest.mark.browser
@pytest.mark.timeout(120)
async def test_the_playground_shows_warnings_then_the_expulsion_with_the_audit_log(
    mod_settings, make_bot, browser
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings())
    page = await browser.new_page()
    await page.goto(f"http://127.0.0.1:{bot.port}/playground")
    await page.select_option("#chat", "canalejas")
    await page.select_option("#persona", "vecino-juan")
    log = page.get_by_test_id("group-log")
    for n, text in enumerate(
        ["eres un pendejo", "cállate, pinche rata", "eres una basura de persona, idiota"], 1
    ):
        await page.fill("#text", text)
        await page.click("#send")
        await log.locator(".msg.bot").nth(n - 1).wait_for(timeout=15000)
    bot_messages = await log.locator(".msg.bot").all_inner_texts()
    assert "1 de 3 advertencias" in bot_messages[0]
    assert "2 de 3 advertencias" in bot_messages[1]
    assert "Dimos de baja del grupo" in bot_messages[2]
    assert await log.locator(".msg.deleted").count() == 3
    await log.locator(".system.removed").wait_for(timeout=10000)
    private = page.get_by_test_id("private-log")
    await private.locator(".msg.bot").nth(2).wait_for(timeout=10000)
    audit = page.get_by_test_id("audit-log")
    await audit.locator("li[data-action='moderation.sanction']").nth(2).wait_for(timeout=10000)
    steps = await audit.locator("li[data-action='moderation.sanction']").all_inner_texts()
    assert "Baja del grupo" in steps[0]  # newest first
    assert "regla: ctx." in steps[-1]
    await page.fill("#text", "ya me voy a portar bien")
    await page.click("#send")
    await page.locator("#error").filter(has_text="ya no formas parte").wait_for(timeout=5000)
    assert await page.locator("#rejoin").is_visible()

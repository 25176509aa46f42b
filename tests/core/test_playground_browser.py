"""The playground in headless Chromium: a message typed in the page gets the bot's answer."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]


async def test_a_message_typed_in_the_playground_gets_the_bots_answer(
    make_settings, make_bot, browser
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings())
    page = await browser.new_page()
    await page.goto(f"http://127.0.0.1:{bot.port}/playground")
    await page.select_option("#chat", "canalejas")
    await page.select_option("#persona", "vecina-lupita")
    await page.fill("#text", "/reglas")
    await page.click("#send")
    log = page.get_by_test_id("group-log")
    await log.locator(".msg.bot").first.wait_for(timeout=15000)
    reply = await log.locator(".msg.bot").first.inner_text()
    assert "Reglas de los grupos CASS" in reply
    assert "/reglas" in await log.locator(".msg.mine").first.inner_text()
    # The neighbour appears in the roster, and the audit panel shows the join.
    await page.locator("#members li", has_text="Lupita").wait_for(timeout=10000)
    await page.locator("#audit li[data-action='member_joined']").first.wait_for(timeout=10000)


async def test_the_playground_reports_bad_input_in_spanish(
    make_settings, make_bot, browser
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings())
    page = await browser.new_page()
    await page.goto(f"http://127.0.0.1:{bot.port}/playground")
    await page.click("#send")
    assert await page.inner_text("#error") == "Escribe un mensaje."

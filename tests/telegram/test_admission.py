"""Approved neighbours entering the Telegram group, end to end through the fake Bot API.

Telegram bots cannot add people: an approved registration gets a one-time invite link
(createChatInviteLink, member_limit 1), shown on the status page and sent privately where the
bot can write. Joining through it, or asking to join and being approved, makes that Telegram
account the applicant's: linked by her phone number to the same person as her other
identities, never flagged as an unapproved member. Strangers who ask are left to the admins.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from cassbot import texts
from cassbot.app import CassBot
from cassbot.registration.access import shown
from cassbot.registration.common import Actor
from cassbot.registration.requests import NewRequest, approve, by_folio, submit_request
from cassbot.storage.models import (
    Admission,
    AuditEntry,
    CommunityBan,
    Identity,
    MemberReview,
    OutboxAction,
    Person,
    RegistrationRequest,
)
from tests.helpers import settle
from tests.telegram.conftest import GROUP_ID, StartBot, deliver
from tests.telegram.fake_bot_api import FakeBotAPI

ROSA = 1004  # a neighbour of Canalejas who registered on the web
NORA = 1005  # someone nobody approved
ROSA_PHONE = "+527615550123"
GD = Actor(name="Gobierno Digital", username="gd")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # Cookies from 127.0.0.1 kept (the form's CSRF cookie), as a browser does.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def run(fake: FakeBotAPI, bot: CassBot, update: dict[str, Any]) -> None:
    status, _ = await deliver(fake, bot, update)
    assert status == 200
    await settle(bot)


async def rows(bot: CassBot, model: Any, *where: Any) -> list[Any]:
    async with bot.db.read() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def approved_registration(bot: CassBot) -> RegistrationRequest:
    new = NewRequest(
        full_name="Rosa Elena Cruz",
        phone=ROSA_PHONE,
        community_id="canalejas",
        message="Vivo en la calle Morelos, frente a la capilla",
    )
    async with bot.db.transaction() as session:
        request = await submit_request(bot, session, new, bot.clock.now())
    async with bot.db.transaction() as session:
        await approve(bot, session, await by_folio(session, request.folio), GD, bot.clock.now())
    await settle(bot)
    [approved] = await rows(bot, RegistrationRequest, RegistrationRequest.id == request.id)
    return approved


async def telegram_admission(bot: CassBot) -> Admission:
    [admission] = await rows(bot, Admission, Admission.channel == "telegram")
    return admission


async def person_of(bot: CassBot, channel: str, user_id: str) -> int:
    [identity] = await rows(
        bot, Identity, Identity.channel == channel, Identity.user_id == user_id
    )
    return int(identity.person_id)


async def status_page(
    http: aiohttp.ClientSession, bot: CassBot, request: RegistrationRequest
) -> str:
    """What Rosa sees when she looks her folio up with her access code."""
    base = f"http://127.0.0.1:{bot.port}"
    folio = request.folio
    async with http.get(f"{base}/registro/estado?folio={folio}") as response:
        match = re.search(r'name="csrf" value="([^"]+)"', await response.text())
    assert match is not None
    form = {"csrf": match.group(1), "folio": folio, "clave": shown(request.access_code)}
    async with http.post(f"{base}/registro/estado", data=form) as response:
        assert response.status == 200
        return await response.text()


async def nobody_flagged(bot: CassBot) -> None:
    flagged = await rows(
        bot,
        OutboxAction,
        OutboxAction.purpose.in_(["member_unapproved", "join_request_pending"]),
    )
    assert flagged == []
    assert await rows(bot, MemberReview) == []


async def test_an_approved_neighbour_joins_through_her_one_time_link(
    world: FakeBotAPI, start_bot: StartBot, http: aiohttp.ClientSession
) -> None:
    bot = await start_bot()
    world.clock = lambda: bot.clock.now().timestamp()  # Telegram and cassbot agree on time
    world.add_user(ROSA, "Rosa Elena", "Cruz")  # not in the group; never wrote to the bot
    request = await approved_registration(bot)

    # A one-time link for the Telegram group, valid for the configured 72 hours.
    [create] = world.calls_to("createChatInviteLink")
    assert create.params["chat_id"] == GROUP_ID
    assert create.params["member_limit"] == 1
    assert "creates_join_request" not in create.params
    expires = bot.clock.now() + timedelta(hours=72)
    assert create.params["expire_date"] == int(expires.timestamp())
    [link] = [x["invite_link"] for x in world.chats[GROUP_ID].invite_links]
    admission = await telegram_admission(bot)
    assert (admission.method, admission.status, admission.invite_link) == (
        "invite",
        "invite_sent",
        link,
    )
    # The bot cannot write to Rosa on Telegram yet: the link waits on her status page.
    assert world.sent(ROSA) == []
    page = await status_page(http, bot, request)
    assert f'href="{link}"' in page
    assert "únete con este enlace" in page

    await run(world, bot, world.join_with_link(GROUP_ID, ROSA, link))

    admission = await telegram_admission(bot)
    assert (admission.status, admission.user_id) == ("joined", str(ROSA))
    # Her Telegram account is hers: the person with her number, like her other identities.
    rosa = await person_of(bot, "telegram", str(ROSA))
    assert rosa == request.person_id
    [person] = await rows(bot, Person, Person.id == rosa)
    assert (person.phone, person.display_name) == (ROSA_PHONE, "Rosa Elena Cruz")
    assert await person_of(bot, "local", "tel-527615550123") == rosa  # the playground group
    named_rosa = [p for p in await rows(bot, Person) if "Rosa" in (p.display_name or "")]
    assert [p.id for p in named_rosa] == [rosa]  # no placeholder left behind
    await nobody_flagged(bot)
    audit = {a.action for a in await rows(bot, AuditEntry)}
    assert {"invite_link_created", "admission_claimed", "member_joined"} <= audit
    assert "member_unapproved" not in audit

    page = await status_page(http, bot, request)
    assert "ya estás en el grupo" in page
    assert f'href="{link}"' not in page


async def test_an_approved_neighbour_who_asks_to_join_is_let_in(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    world.add_user(ROSA, "Rosa Elena", "Cruz", started=True)
    request = await approved_registration(bot)
    # Rosa starts the bot (a Telegram account like any other), then shares her own contact:
    # her number says who she is.
    await run(world, bot, world.message_update(ROSA, ROSA, "/start"))
    assert await person_of(bot, "telegram", str(ROSA)) != request.person_id
    contact = {"phone_number": "527615550123", "first_name": "Rosa Elena", "user_id": ROSA}
    await run(world, bot, world.message_update(ROSA, ROSA, None, contact=contact))
    assert await person_of(bot, "telegram", str(ROSA)) == request.person_id

    # She asks to join from the group's page instead of using her link: approved.
    await run(world, bot, world.join_request_update(GROUP_ID, ROSA))
    [approval] = world.calls_to("approveChatJoinRequest")
    assert approval.params == {"chat_id": GROUP_ID, "user_id": ROSA}
    assert approval.status == 200
    assert world.status_of(GROUP_ID, ROSA) == "member"

    # Telegram then tells the bot she is in: her admission is done, nobody is alarmed.
    [joined] = world.follow_ups
    await run(world, bot, joined)
    admission = await telegram_admission(bot)
    assert (admission.status, admission.user_id) == ("joined", str(ROSA))
    await nobody_flagged(bot)
    audit = [a.action for a in await rows(bot, AuditEntry)]
    assert audit.count("join_request_approved") == 1


async def test_a_stranger_who_asks_to_join_is_left_to_the_admins(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    world.add_user(NORA, "Nora", "Salinas")
    await run(world, bot, world.join_request_update(GROUP_ID, NORA))

    assert world.calls_to("approveChatJoinRequest") == []
    assert NORA in world.chats[GROUP_ID].join_requests  # still waiting, for a person to decide
    # Nora is told how to register (Telegram lets the bot write to whoever asks to join)…
    [told] = world.sent(NORA)
    assert told["text"] == texts.JOIN_REQUEST_REGISTER.format(
        group="CASS Canalejas", url=bot.base_url
    )
    # …and the reviewers (Gobierno Digital, on the playground here) are told of her request.
    [notice] = await rows(bot, OutboxAction, OutboxAction.purpose == "join_request_pending")
    assert notice.lane == "local:dm-oficial-gd"
    assert notice.payload["text"].startswith(
        "🙋 Nora Salinas pidió entrar a CASS Canalejas (Telegram). No tiene una solicitud de "
        "registro aprobada."
    )
    assert notice.status == "done"


async def test_a_banned_person_who_asks_again_is_not_let_in(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    world.add_user(ROSA, "Rosa Elena", "Cruz", started=True)
    request = await approved_registration(bot)
    contact = {"phone_number": "527615550123", "first_name": "Rosa Elena", "user_id": ROSA}
    await run(world, bot, world.message_update(ROSA, ROSA, None, contact=contact))
    # Expelled after approval (from the playground group, before she used her link).
    async with bot.db.transaction() as session:
        session.add(
            CommunityBan(community_id="canalejas", person_id=request.person_id, reason="amenazas")
        )
    await run(world, bot, world.join_request_update(GROUP_ID, ROSA))

    assert world.calls_to("approveChatJoinRequest") == []
    [notice] = await rows(bot, OutboxAction, OutboxAction.purpose == "join_request_pending")
    assert "Tiene una expulsión vigente en esta comunidad." in notice.payload["text"]
    assert [m["text"] for m in world.sent(ROSA)] == []  # not invited to register again

"""Automatic moderation through the playground: warn, warn, expel — explained and exempting
officials, friendly swearing and service words; dry-run records without acting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.local.adapter import PlaygroundError
from cassbot.clock import ManualClock
from cassbot.storage.models import (
    CommunityBan,
    Membership,
    ModerationCase,
    OutboxAction,
    PlaygroundMember,
    PointsRecord,
)
from tests.enforcement.conftest import audit_actions, entries, playground, said
from tests.helpers import settle

INSULTS = ["eres un pendejo", "cállate, pinche rata", "eres una basura de persona, idiota"]


async def test_two_warnings_then_the_third_offence_expels(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    await local.post("canalejas", "vecino-juan", "buenos días, ¿ya llegó la pipa?")
    for text in INSULTS:
        await local.post("canalejas", "vecino-juan", text)
        await settle(bot)

    group = await entries(bot, "canalejas")
    deleted = {e.message_id for e in group if e.kind == "deleted"}
    posted = {e.text: e.message_id for e in group if e.author_id == "vecino-juan"}
    assert deleted == {posted[t] for t in INSULTS}  # the ordinary message stays
    warnings = await said(bot, "canalejas")
    assert len(warnings) == 3
    assert "1 de 3 advertencias" in warnings[0] and "2 de 3" in warnings[1]
    assert warnings[2].startswith("🚫") and "Juan Pérez" in warnings[2]
    for text in warnings:  # never repeat the insult back
        assert not any(word in text.lower() for word in ("pendejo", "rata", "idiota", "basura"))
    private = await said(bot, "dm-vecino-juan")
    assert len(private) == 3 and "/apelar" in private[2]
    assert [e.kind for e in group][-1] == "removed"

    async with bot.db.read() as session:
        cases = (
            (await session.execute(select(ModerationCase).order_by(ModerationCase.id)))
            .scalars()
            .all()
        )
        points = (await session.execute(select(PointsRecord))).scalars().all()
        ban = (await session.execute(select(CommunityBan))).scalar_one()
        member = await session.get(PlaygroundMember, ("canalejas", "vecino-juan"))
        membership = (
            await session.execute(select(Membership).where(Membership.status == "banned"))
        ).scalar_one()
    assert [c.status for c in cases] == ["applied"] * 3
    assert "expel" in cases[2].effects and "expel" not in cases[1].effects
    assert sum(p.points for p in points) == 3
    assert ban.community_id == "canalejas" and ban.case_id == cases[2].id
    assert member is not None and member.status == "removed"
    assert membership.identity_id == cases[0].subject_identity_id
    # The audit log explains each step, with the rule and what matched.
    sanctions = [a for a in await audit_actions(bot) if a.action == "moderation.sanction"]
    assert [a.detail["summary"].split(";")[0] for a in sanctions] == [
        "Advertencia (1 en el periodo)",
        "Advertencia (2 en el periodo)",
        "Baja del grupo",
    ]
    assert sanctions[0].rule_id.startswith("ctx.") and sanctions[0].detail["quote"] == "pendejo"
    with pytest.raises(PlaygroundError):
        await local.post("canalejas", "vecino-juan", "ya me porto bien")


@pytest.mark.parametrize(
    "text",
    [
        "no mames qué padre, ya llegó el agua",
        "¡qué pedo!, otra vez se fue la luz",
        "no ha pasado el camión de la basura desde el lunes",
        "hay un bache enorme frente a la primaria",
        "cuidado con el perro negro de la casa 14, muerde",
        "vi una rata enorme en la coladera",
        "cayó granizo y se tapó la coladera",
        "la lámpara del poste está fundida",
    ],
)
async def test_friendly_swearing_and_service_words_are_left_alone(
    text: str, mod_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    await playground(bot).post("canalejas", "vecina-lupita", text)
    await settle(bot)
    async with bot.db.read() as session:
        assert (await session.execute(select(ModerationCase))).first() is None
        kinds = (await session.execute(select(OutboxAction.kind))).scalars().all()
    assert "delete" not in kinds and "remove" not in kinds


async def test_officials_are_exempt(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    await playground(bot).post("canalejas", "oficial-odapas", "no sean pendejos, no tiren basura")
    await settle(bot)
    async with bot.db.read() as session:
        assert (await session.execute(select(ModerationCase))).first() is None


async def test_a_threat_is_deleted_warned_and_alerts_seguridad(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    await playground(bot).post("canalejas", "vecino-beto", "te voy a partir la madre")
    await settle(bot)
    alert = await said(bot, "dm-oficial-seguridad")
    assert len(alert) == 1 and alert[0].startswith("🚨") and "Villa de Canalejas" in alert[0]
    assert await said(bot, "dm-oficial-odapas") == []  # only Seguridad Ciudadana
    async with bot.db.read() as session:
        case = (await session.execute(select(ModerationCase))).scalar_one()
    assert case.category == "threat" and "alert_security" in case.effects
    assert "expel" not in case.effects  # first offence: delete and warn


async def test_points_decay_after_the_window(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(mod_settings(), serve_http=False, clock=clock)
    local = playground(bot)
    for text in INSULTS[:2]:
        await local.post("canalejas", "vecino-juan", text)
        await settle(bot)
    clock.advance(timedelta(days=31))  # both warnings are older than the 30-day window
    await local.post("canalejas", "vecino-juan", INSULTS[2])
    await settle(bot)
    warnings = await said(bot, "canalejas")
    assert "1 de 3 advertencias" in warnings[-1]
    async with bot.db.read() as session:
        assert (await session.execute(select(CommunityBan))).first() is None


async def test_a_dry_run_group_records_what_would_happen(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    settings = mod_settings(
        communities=[
            {"id": "las-huertas", "name": "Las Huertas",
             "groups": [{"channel": "local", "chat_id": "las-huertas", "dry_run": True}]},
        ]
    )  # fmt: skip
    bot = await make_bot(settings, serve_http=False)
    local = playground(bot)
    for text in INSULTS:
        await local.post("las-huertas", "vecino-juan", text)
        await settle(bot)
    group = await entries(bot, "las-huertas")
    assert not [e for e in group if e.kind in ("deleted", "removed")]
    assert await said(bot, "las-huertas") == []
    async with bot.db.read() as session:
        cases = (await session.execute(select(ModerationCase))).scalars().all()
        statuses = set(
            (
                await session.execute(
                    select(OutboxAction.status).where(
                        OutboxAction.purpose.startswith("moderation")
                    )
                )
            ).scalars()
        )
        assert (await session.execute(select(CommunityBan))).first() is None
    assert [c.status for c in cases] == ["dry_run"] * 3
    assert statuses == {"dry_run"}
    assert all(a.dry_run for a in await audit_actions(bot))


async def test_a_command_is_no_way_around_the_rules(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    sneaky = await local.post("canalejas", "vecino-juan", "/reglas eres un pendejo, idiota")
    refused = await local.post("canalejas", "vecino-beto", "/expulsar eres un pendejo")
    await settle(bot)
    deleted = {e.message_id for e in await entries(bot, "canalejas") if e.kind == "deleted"}
    assert {sneaky, refused} <= deleted
    async with bot.db.read() as session:
        assert len((await session.execute(select(ModerationCase))).scalars().all()) == 2


async def test_a_backlog_after_an_outage_is_not_a_flood(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    from cassbot.events import ChatRef, MessagePosted, MessageRef, UserRef

    clock = ManualClock()
    bot = await make_bot(mod_settings(), serve_http=False, clock=clock)
    chat = ChatRef(channel="local", chat_id="canalejas")
    juan = UserRef(channel="local", user_id="vecino-juan", display_name="Juan Pérez")
    written = clock.now() - timedelta(minutes=80)
    backlog = [
        MessagePosted(
            dedupe_key=f"local:test:backlog:{n}",
            chat=chat,
            actor=juan,
            occurred_at=written + timedelta(minutes=10 * n),
            message=MessageRef(chat=chat, message_id=f"b{n}"),
            text=f"Buenas tardes, aviso {n}",
        )
        for n in range(8)  # 8 messages over 70 minutes, delivered together now
    ]
    await bot.ingress.submit_many(backlog)
    await settle(bot)
    async with bot.db.read() as session:
        assert (await session.execute(select(ModerationCase))).first() is None


async def test_a_trial_group_still_files_requests_and_removes_nobody(
    mod_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    from cassbot.storage.models import Identity, Ticket

    settings = mod_settings(
        communities=[
            {"id": "las-huertas", "name": "Las Huertas",
             "groups": [{"channel": "local", "chat_id": "las-huertas", "dry_run": True}]},
        ]
    )  # fmt: skip
    bot = await make_bot(settings, serve_http=False)
    local = playground(bot)
    await local.post(
        "las-huertas", "vecino-juan", "ya arreglen la fuga de la calle 5, son unos pendejos"
    )
    await local.post("las-huertas", "vecino-beto", "hola")
    await settle(bot)
    async with bot.db.transaction() as session:
        tickets = (await session.execute(select(Ticket))).scalars().all()
        beto = (
            await session.execute(select(Identity).where(Identity.user_id == "vecino-beto"))
        ).scalar_one()
        session.add(CommunityBan(community_id="las-huertas", person_id=beto.person_id, reason="x"))
    assert len(tickets) == 1  # nothing was really removed, so the request is filed
    assert not [t for t in await said(bot, "dm-vecino-juan") if "vuelve a escribirlo" in t]
    from cassbot.actions import RemoveMember
    from cassbot.events import ChatRef, UserRef

    huertas = ChatRef(channel="local", chat_id="las-huertas")
    await local.execute(
        RemoveMember(chat=huertas, user=UserRef(channel="local", user_id="vecino-beto"))
    )
    await local.join("las-huertas", "vecino-beto")  # back after a ban: recorded, not removed
    await settle(bot)
    async with bot.db.read() as session:
        removals = (
            (await session.execute(select(OutboxAction).where(OutboxAction.kind == "remove")))
            .scalars()
            .all()
        )
    assert [(r.purpose, r.status) for r in removals] == [("ban_enforced", "dry_run")]

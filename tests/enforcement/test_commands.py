"""Admins' moderation commands: permissions, reply targeting, review queue, undo in one step."""

from __future__ import annotations

from sqlalchemy import select

from cassbot.storage.models import (
    AuditEntry,
    CommunityBan,
    Group,
    ModerationCase,
    PlaygroundMember,
    PointsRecord,
)
from tests.enforcement.conftest import audit_actions, entries, playground, said
from tests.helpers import settle


async def test_warn_by_reply_deletes_the_message_and_counts_on_the_ladder(
    mod_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    offending = await local.post("canalejas", "vecino-beto", "vendo cel barato, mándenme inbox")
    await settle(bot)
    await local.post("canalejas", "oficial-gd", "/advertir ventas en el grupo", reply_to=offending)
    await settle(bot)
    group = await entries(bot, "canalejas")
    assert offending in {e.message_id for e in group if e.kind == "deleted"}
    warning = (await said(bot, "canalejas"))[-1]
    assert "un administrador te hace una advertencia por ventas en el grupo" in warning
    async with bot.db.read() as session:
        case = (
            await session.execute(select(ModerationCase).where(ModerationCase.source == "manual"))
        ).scalar_one()
    assert case.rule_id == "manual.warning" and case.actor_name == "Gobierno Digital"
    entry = next(a for a in await audit_actions(bot) if a.detail.get("case_id") == case.id)
    assert entry.actor_kind == "official" and entry.actor_name == "Gobierno Digital"


async def test_neighbours_cannot_use_admin_commands(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    target = await local.post("canalejas", "vecino-beto", "hola")
    for command in ("/expulsar", "/advertir", "/perdonar @Beto", "/prueba on", "/deshacer 1"):
        await local.post("canalejas", "vecina-lupita", command, reply_to=target)
    await local.post("dm-vecina-lupita", "vecina-lupita", "/revisar")
    await settle(bot)
    refusals = await said(bot, "canalejas")
    assert len(refusals) == 5
    assert all("es solo para funcionarios y administradores" in r for r in refusals)
    assert (await said(bot, "dm-vecina-lupita"))[-1].startswith("El comando /revisar es solo")
    async with bot.db.read() as session:
        assert (await session.execute(select(ModerationCase))).first() is None
        assert (await session.execute(select(CommunityBan))).first() is None


async def test_expel_then_readmit_by_mention(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    await local.post("canalejas", "vecino-beto", "hola a todos")
    await local.post("coscomate", "vecino-beto", "hola Coscomate")
    await settle(bot)
    await local.post("canalejas", "oficial-gd", "/expulsar @vecino-beto amenazas reiteradas")
    await settle(bot)
    async with bot.db.read() as session:
        ban = (await session.execute(select(CommunityBan))).scalar_one()
        member = await session.get(PlaygroundMember, ("canalejas", "vecino-beto"))
        other = await session.get(PlaygroundMember, ("coscomate", "vecino-beto"))
    assert ban.reason == "amenazas reiteradas" and ban.banned_by == "Gobierno Digital"
    assert member is not None and member.status == "removed"
    assert other is not None and other.status == "active"  # another community: untouched
    assert "por decisión de un administrador" in (await said(bot, "canalejas"))[-1]

    await local.post("canalejas", "oficial-gd", "/readmitir @vecino-beto")
    await settle(bot)
    async with bot.db.read() as session:
        ban = (await session.execute(select(CommunityBan))).scalar_one()
        member = await session.get(PlaygroundMember, ("canalejas", "vecino-beto"))
    assert ban.lifted_by == "Gobierno Digital"
    assert member is not None and member.status == "active"  # the playground can add people
    assert "puede volver al grupo" in (await said(bot, "canalejas"))[-1]
    assert (
        "puedes volver al grupo CASS de Villa de Canalejas"
        in (await said(bot, "dm-vecino-beto"))[-1]
    )


async def test_warnings_listing_and_pardon(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    await local.post("canalejas", "vecino-beto", "eres un pendejo")
    await settle(bot)
    await local.post("canalejas", "vecino-beto", "/advertencias")
    await local.post("canalejas", "oficial-gd", "/advertencias @vecino-beto")
    await settle(bot)
    own = (await said(bot, "dm-vecino-beto"))[-1]
    assert "tiene 1 advertencia(s)" in own and "caso #" in own
    assert "tiene 1 advertencia(s)" in (await said(bot, "canalejas"))[-1]
    await local.post("canalejas", "oficial-gd", "/perdonar @vecino-beto")
    await settle(bot)
    async with bot.db.read() as session:
        records = (await session.execute(select(PointsRecord))).scalars().all()
    assert [r.cleared_reason for r in records] == ["pardoned"]
    assert "Se borraron las advertencias" in (await said(bot, "canalejas"))[-1]


async def test_the_trial_mode_command(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    await local.post("canalejas", "oficial-gd", "/prueba on")
    await settle(bot)
    await local.post("canalejas", "vecino-beto", "eres un pendejo")
    await settle(bot)
    async with bot.db.read() as session:
        group = (
            await session.execute(select(Group).where(Group.chat_id == "canalejas"))
        ).scalar_one()
        case = (await session.execute(select(ModerationCase))).scalar_one()
    assert group.dry_run_override is True and case.status == "dry_run"
    assert not [e for e in await entries(bot, "canalejas") if e.kind == "deleted"]
    await local.post("canalejas", "oficial-gd", "/prueba off")
    await local.post("canalejas", "oficial-gd", "/prueba")
    await settle(bot)
    assert "desactivado" in (await said(bot, "canalejas"))[-1]


async def test_the_review_queue(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    flagged = await local.post("canalejas", "vecino-beto", "el pendejo del vecino dejó la basura")
    await local.post("canalejas", "vecina-karla", "idiota")
    await settle(bot)
    async with bot.db.read() as session:
        first, second = (
            (await session.execute(select(ModerationCase).order_by(ModerationCase.id)))
            .scalars()
            .all()
        )
    assert first.status == second.status == "review"
    assert not [e for e in await entries(bot, "canalejas") if e.kind == "deleted"]
    notice = (await said(bot, "dm-oficial-gd"))[-1]
    assert f"/confirmar {second.id}" in notice  # the admins are asked, nobody is sanctioned
    await local.post("dm-oficial-gd", "oficial-gd", "/revisar")
    await local.post("dm-oficial-gd", "oficial-gd", f"/confirmar {first.id}")
    await local.post("dm-oficial-gd", "oficial-gd", f"/descartar {second.id}")
    await local.post("dm-oficial-gd", "oficial-gd", f"/descartar {second.id}")
    await settle(bot)
    listing, confirmed, dismissed, again = (await said(bot, "dm-oficial-gd"))[-4:]
    assert f"#{first.id}" in listing and f"#{second.id}" in listing
    assert confirmed.startswith(f"✅ Caso #{first.id} confirmado")
    assert dismissed.startswith(f"✅ Caso #{second.id} descartado")
    assert "ya no está pendiente" in again
    assert flagged in {
        e.message_id for e in await entries(bot, "canalejas") if e.kind == "deleted"
    }
    assert "1 de 3 advertencias" in (await said(bot, "canalejas"))[-1]
    async with bot.db.read() as session:
        statuses = [
            c.status
            for c in (
                await session.execute(select(ModerationCase).order_by(ModerationCase.id))
            ).scalars()
        ]
    assert statuses == ["confirmed", "dismissed", "applied"]


async def test_undo_an_expulsion_in_one_step(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    for text in ("eres un pendejo", "cállate, pinche rata", "eres un idiota y un pendejo"):
        await local.post("canalejas", "vecino-juan", text)
        await settle(bot)
    async with bot.db.read() as session:
        expulsion = (
            (await session.execute(select(ModerationCase).order_by(ModerationCase.id.desc())))
            .scalars()
            .first()
        )
    assert expulsion is not None and "expel" in expulsion.effects
    await local.post("dm-oficial-gd", "oficial-gd", f"/deshacer {expulsion.id}")
    await settle(bot)
    assert "se retiró la advertencia, se levantó la baja" in (await said(bot, "dm-oficial-gd"))[-1]
    async with bot.db.read() as session:
        case = await session.get(ModerationCase, expulsion.id)
        ban = (await session.execute(select(CommunityBan))).scalar_one()
        member = await session.get(PlaygroundMember, ("canalejas", "vecino-juan"))
        undo = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "moderation.undo"))
        ).scalar_one()
        original = await session.get(AuditEntry, undo.undo_of_id)
        active = (
            (await session.execute(select(PointsRecord).where(PointsRecord.cleared_at.is_(None))))
            .scalars()
            .all()
        )
    assert case is not None and case.status == "undone"
    assert ban.lifted_at is not None
    assert member is not None and member.status == "active"
    assert original is not None and original.undone_by == "Gobierno Digital"
    assert len(active) == 2  # only the expelling case's point is cleared
    assert "lo deshizo" in (await said(bot, "dm-vecino-juan"))[-1]


async def test_an_ambiguous_name_is_not_guessed(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from cassbot.events import ChatRef, MessagePosted, MessageRef, UserRef

    bot = await make_bot(mod_settings(), serve_http=False)
    chat = ChatRef(channel="local", chat_id="canalejas")
    for n, user in enumerate(("juan-1", "juan-2")):
        await bot.ingress.submit(
            MessagePosted(
                dedupe_key=f"local:test:juan:{n}",
                chat=chat,
                actor=UserRef(channel="local", user_id=user, display_name="Juan"),
                occurred_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
                message=MessageRef(chat=chat, message_id=f"j{n}"),
                text="buenos días",
            )
        )
    await settle(bot)
    await playground(bot).post("canalejas", "oficial-gd", "/advertir @Juan vende en el grupo")
    await settle(bot)
    assert "Hay varias personas que coinciden con @Juan" in (await said(bot, "canalejas"))[-1]
    async with bot.db.read() as session:
        assert (await session.execute(select(ModerationCase))).first() is None


async def test_the_review_list_is_only_given_in_private(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    await local.post("canalejas", "vecino-beto", "el pendejo del vecino dejó la basura")
    await settle(bot)
    await local.post("canalejas", "oficial-gd", "/revisar")
    await settle(bot)
    answer = (await said(bot, "canalejas"))[-1]
    assert answer == "El comando /revisar se usa en un chat privado conmigo."
    assert "pendejo" not in " ".join(await said(bot, "canalejas"))


async def test_warning_dates_are_local(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from cassbot.clock import ManualClock

    clock = ManualClock(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))  # 30 Nov, 21:00 in Jilotepec
    bot = await make_bot(mod_settings(), serve_http=False, clock=clock)
    await playground(bot).post("canalejas", "vecino-beto", "eres un pendejo")
    await settle(bot)
    await playground(bot).post("dm-vecino-beto", "vecino-beto", "/advertencias")
    await settle(bot)
    assert "• 30/11/2026:" in (await said(bot, "dm-vecino-beto"))[-1]


async def test_undoing_a_confirmed_review_points_to_its_sanction(mod_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(), serve_http=False)
    local = playground(bot)
    await local.post("canalejas", "vecino-beto", "el pendejo del vecino dejó la basura")
    await settle(bot)
    async with bot.db.read() as session:
        review = (await session.execute(select(ModerationCase))).scalar_one()
    await local.post("dm-oficial-gd", "oficial-gd", f"/confirmar {review.id}")
    await settle(bot)
    confirmed = (await said(bot, "dm-oficial-gd"))[-1]
    async with bot.db.read() as session:
        sanction = (
            await session.execute(select(ModerationCase).where(ModerationCase.status == "applied"))
        ).scalar_one()
    assert f"/deshacer {sanction.id}" in confirmed
    await local.post("dm-oficial-gd", "oficial-gd", f"/deshacer {review.id}")
    await local.post("dm-oficial-gd", "oficial-gd", f"/deshacer {sanction.id}")
    await settle(bot)
    refused, undone = (await said(bot, "dm-oficial-gd"))[-2:]
    assert f"El caso #{review.id} no sancionó a nadie" in refused
    assert undone.startswith(f"↩️ Caso #{sanction.id} deshecho")

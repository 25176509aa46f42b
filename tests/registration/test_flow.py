"""The registration flow end to end through the services: submit, review, admission by the
channel's capabilities, fall back from a failed add to an invite link, bans, and the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cassbot.clock import ManualClock
from cassbot.registration.common import Actor, DecisionError
from cassbot.registration.requests import (
    DuplicateRequest,
    NewRequest,
    answer_info,
    approve,
    ask_info,
    by_folio,
    reject,
    submit_request,
)
from cassbot.storage.models import (
    Admission,
    AuditEntry,
    CommunityBan,
    Identity,
    Membership,
    OutboxAction,
    Person,
    PlaygroundEntry,
    PlaygroundMember,
    RegistrationRequest,
    Timer,
)
from tests.helpers import eventually, settle
from tests.registration.conftest import NoAddLocal, RefusingAddLocal, email_config, factories

GD = Actor(name="Gobierno Digital", username="gd")
LUPITA = NewRequest(
    full_name="Lupita Martínez",
    phone="+527615550101",
    community_id="canalejas",
    message="Vivo en la calle Hidalgo",
)


async def submit(bot, new: NewRequest = LUPITA) -> RegistrationRequest:  # type: ignore[no-untyped-def]
    async with bot.db.transaction() as session:
        return await submit_request(bot, session, new, bot.clock.now())


async def decide(bot, folio: str, how, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with bot.db.transaction() as session:
        row = await by_folio(session, folio)
        return await how(bot, session, row, *args, bot.clock.now(), **kwargs)


async def rows(bot, model, *where):  # type: ignore[no-untyped-def]
    async with bot.db.read() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def test_approval_adds_the_person_and_tells_the_admins(
    reg_settings, make_bot, db_url
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(database={"url": db_url}), serve_http=False)
    request = await submit(bot)
    assert request.folio == f"REG-{bot.clock.now().year}-000001"
    assert request.status == "pending"
    assert request.due_at - request.created_at == timedelta(hours=24)
    await decide(bot, request.folio, approve, GD)
    await settle(bot)
    # The playground recorded the add of the persona configured with that phone…
    member = (await rows(bot, PlaygroundMember, PlaygroundMember.user_id == "vecina-lupita"))[0]
    assert (member.chat_id, member.status) == ("canalejas", "active")
    added = await rows(bot, PlaygroundEntry, PlaygroundEntry.kind == "added")
    assert [(e.chat_id, e.author_id) for e in added] == [("canalejas", "vecina-lupita")]
    # …the roster has them, linked by phone to the person, and the request is closed.
    identity = (await rows(bot, Identity, Identity.user_id == "vecina-lupita"))[0]
    person = (await rows(bot, Person, Person.id == identity.person_id))[0]
    assert person.phone == "+527615550101"
    membership = (await rows(bot, Membership, Membership.identity_id == identity.id))[0]
    assert (membership.status, membership.source) == ("active", "admission")
    done = (await rows(bot, RegistrationRequest))[0]
    assert (done.status, done.decided_by, done.open_phone) == (
        "approved",
        "Gobierno Digital",
        None,
    )
    assert (await rows(bot, Admission))[0].status == "added"
    # The community's officials (the group admins) were told privately, each once.
    notices = await rows(bot, OutboxAction, OutboxAction.purpose == "registration_approved")
    assert sorted(n.lane for n in notices) == [
        "local:dm-oficial-analista",
        "local:dm-oficial-gd",
        "local:dm-oficial-odapas",
    ]
    assert all(n.status == "done" for n in notices)
    assert "Lupita Martínez" in notices[0].payload["text"]
    welcome = await rows(bot, OutboxAction, OutboxAction.purpose == "admission_welcome")
    assert [w.lane for w in welcome] == ["local:dm-vecina-lupita"]
    # Everything is in the audit log; the timers of the 24-hour clock were cancelled.
    actions = {a.action for a in await rows(bot, AuditEntry)}
    assert {
        "registration_submitted",
        "registration_approved",
        "admission_planned",
        "member_added",
    } <= actions
    timers = await rows(bot, Timer, Timer.key.startswith("tracked:registration"))
    assert timers
    assert {t.status for t in timers} == {"cancelled"}


async def test_a_channel_that_cannot_add_gets_a_one_time_invite_link(
    reg_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    settings = reg_settings()
    bot = await make_bot(
        settings, serve_http=False, adapter_factories=factories(settings, NoAddLocal)
    )
    request = await submit(bot)
    await decide(bot, request.folio, approve, GD)
    await settle(bot)
    admission = (await rows(bot, Admission))[0]
    assert admission.method == "invite"
    assert admission.status == "invite_sent"
    assert admission.invite_link
    assert "invitacion=" in admission.invite_link
    assert not await rows(bot, PlaygroundEntry, PlaygroundEntry.kind == "added")
    sent = await rows(bot, OutboxAction, OutboxAction.purpose == "admission_invite_dm")
    assert [s.lane for s in sent] == ["local:dm-vecina-lupita"]
    assert admission.invite_link in sent[0].payload["text"]
    # Joining through the link marks the admission; the person is not flagged as unapproved.
    await bot.adapters.get("local").join("canalejas", "vecina-lupita")
    await settle(bot)
    assert (await rows(bot, Admission))[0].status == "joined"
    assert not await rows(bot, OutboxAction, OutboxAction.purpose == "member_unapproved")


async def test_a_failed_add_falls_back_to_an_invite_link(reg_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    settings = reg_settings()
    bot = await make_bot(
        settings, serve_http=False, adapter_factories=factories(settings, RefusingAddLocal)
    )
    request = await submit(bot)
    await decide(bot, request.folio, approve, GD)
    await settle(bot)
    add = (await rows(bot, OutboxAction, OutboxAction.kind == "add"))[0]
    assert (add.status, add.result) == ("failed", "forbidden")
    admission = (await rows(bot, Admission))[0]
    assert (admission.method, admission.status) == ("invite", "invite_sent")
    assert "forbidden" in admission.detail
    audit = {a.action for a in await rows(bot, AuditEntry)}
    assert {"admission_add_failed", "invite_link_created"} <= audit


async def test_one_open_request_per_number(reg_settings, make_bot, db_url) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(database={"url": db_url}), serve_http=False)
    first = await submit(bot)
    with pytest.raises(DuplicateRequest) as caught:
        await submit(
            bot, NewRequest(full_name="Otra Persona", phone=LUPITA.phone, community_id="coscomate")
        )
    assert caught.value.folio == first.folio
    assert len(await rows(bot, RegistrationRequest)) == 1
    await decide(bot, first.folio, reject, GD, "No vive en la comunidad")
    second = await submit(bot)  # once decided, the number may apply again
    assert second.folio.endswith("000002")


async def test_rejection_needs_a_reason_and_decisions_happen_once(reg_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(), serve_http=False)
    request = await submit(bot)
    with pytest.raises(DecisionError, match="motivo"):
        await decide(bot, request.folio, reject, GD, "  ")
    await decide(bot, request.folio, reject, GD, "No vive en la comunidad")
    with pytest.raises(DecisionError, match="ya fue resuelta"):
        await decide(bot, request.folio, approve, GD)
    await settle(bot)
    told = await rows(bot, OutboxAction, OutboxAction.purpose == "registration_rejected")
    assert [t.lane for t in told] == ["local:dm-vecina-lupita"]
    assert "No vive en la comunidad" in told[0].payload["text"]
    assert not await rows(bot, Admission)


async def test_asking_for_information_stops_the_clock_until_the_answer(
    reg_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(reg_settings(), serve_http=False, clock=clock)
    request = await submit(bot)
    await decide(bot, request.folio, ask_info, GD, "¿En qué calle vives?")
    clock.advance(timedelta(hours=30))  # waiting for the applicant: nobody is reminded
    await bot.scheduler.run_due()
    assert not await rows(bot, OutboxAction, OutboxAction.purpose.like("registration_%reminder"))
    await decide(bot, request.folio, answer_info, "En la calle Hidalgo 12")
    row = (await rows(bot, RegistrationRequest))[0]
    assert row.status == "pending"
    assert row.info_answer == "En la calle Hidalgo 12"
    assert row.due_at == clock.now() + timedelta(hours=24)
    with pytest.raises(DecisionError):
        await decide(bot, request.folio, answer_info, "otra vez")


async def test_a_pending_request_produces_a_reminder_then_an_overdue_notice(
    reg_settings, make_bot, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    settings = reg_settings(
        adapters={"email": email_config(smtp_server)},
        registration={"mailbox": "registro@jilotepec.example"},
    )
    bot = await make_bot(settings, serve_http=False, clock=clock)
    request = await submit(bot)
    clock.advance(timedelta(hours=19, minutes=59))
    await bot.scheduler.run_due()
    assert not await rows(bot, OutboxAction, OutboxAction.purpose == "registration_reminder")
    clock.advance(timedelta(minutes=1))  # 20 h: 4 h before the 24-hour mark
    await bot.scheduler.run_due()
    await settle(bot)
    reminders = await rows(bot, OutboxAction, OutboxAction.purpose == "registration_reminder")
    # Both reviewers (Gobierno Digital's officials) privately, the GD official by mail too,
    # and the mailbox.
    assert sorted(r.lane for r in reminders) == sorted(
        [
            "local:dm-oficial-gd",
            "local:dm-oficial-analista",
            "email:gd@jilotepec.example",
            "email:registro@jilotepec.example",
        ]
    )
    assert all(request.folio in str(r.payload) for r in reminders)
    clock.advance(timedelta(hours=4))
    await bot.scheduler.run_due()
    await settle(bot)
    overdue = await rows(bot, OutboxAction, OutboxAction.purpose == "registration_overdue")
    assert len(overdue) == 4
    row = (await rows(bot, RegistrationRequest))[0]
    assert row.reminded_at is not None
    assert row.overdue_notified_at == clock.now()

    async def mails() -> bool:
        return len(smtp_server.messages) >= 5  # new request + reminder×2 + overdue×2

    await eventually(mails)
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert any(s.startswith("Nueva solicitud de registro " + request.folio) for s in subjects)
    assert any(s.startswith("Recordatorio: " + request.folio) for s in subjects)
    assert any(s.startswith("VENCIDA: " + request.folio) for s in subjects)


async def test_a_banned_number_is_held_and_approval_must_lift_the_ban(
    reg_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(), serve_http=False)
    async with bot.db.transaction() as session:
        person = Person(display_name="Lupita", phone=LUPITA.phone)
        session.add(person)
        await session.flush()
        session.add(
            CommunityBan(
                community_id="canalejas",
                person_id=person.id,
                reason="insultos reiterados",
                banned_by="Directora de ODAPAS",
            )
        )
    request = await submit(bot)
    assert request.held_ban_id is not None
    with pytest.raises(DecisionError, match="expulsión vigente"):
        await decide(bot, request.folio, approve, GD)
    assert (await rows(bot, RegistrationRequest))[0].status == "pending"
    await decide(bot, request.folio, approve, GD, lift_ban_confirmed=True)
    ban = (await rows(bot, CommunityBan))[0]
    assert ban.lifted_at is not None
    assert ban.lifted_by == "Gobierno Digital"
    lifted = await rows(bot, AuditEntry, AuditEntry.action == "ban_lifted")
    assert len(lifted) == 1
    assert lifted[0].actor_name == "Gobierno Digital"

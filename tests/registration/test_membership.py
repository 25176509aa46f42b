"""Rosters kept from the groups: joins checked against approved requests, officials made admins,
expulsions by an admin put on the ban list, and the ban list enforced on re-join."""

from __future__ import annotations

from sqlalchemy import select

from cassbot.events import (
    ChatRef,
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    MessageRef,
    UserRef,
)
from cassbot.registration.common import Actor
from cassbot.registration.requests import NewRequest, approve, submit_request
from cassbot.registration.roster import accept_member, roster, roster_csv, set_role
from cassbot.storage.models import (
    Admission,
    AuditEntry,
    CommunityBan,
    Identity,
    MemberReview,
    Membership,
    OutboxAction,
    PlaygroundEntry,
)
from tests.helpers import settle
from tests.registration.conftest import NoAddLocal, factories

CANALEJAS = ChatRef(channel="local", chat_id="canalejas")
KARLA = UserRef(channel="local", user_id="vecina-karla", display_name="Karla Ramírez")
ODAPAS = UserRef(channel="local", user_id="oficial-odapas", display_name="Directora de ODAPAS")
_n = iter(range(1, 10_000))


def joined(user: UserRef, chat: ChatRef = CANALEJAS, via: str = "self") -> MemberJoined:
    return MemberJoined(
        dedupe_key=f"local:t:join:{next(_n)}",
        chat=chat,
        actor=user,
        member=user,
        via=via,
        occurred_at=_now(),
    )


def left(user: UserRef, by: UserRef | None = None) -> MemberLeft:
    return MemberLeft(
        dedupe_key=f"local:t:left:{next(_n)}",
        chat=CANALEJAS,
        actor=by or user,
        member=user,
        removed_by=by,
        occurred_at=_now(),
    )


def posted(user: UserRef, text: str = "Buenos días") -> MessagePosted:
    n = next(_n)
    return MessagePosted(
        dedupe_key=f"local:t:msg:{n}",
        chat=CANALEJAS,
        actor=user,
        occurred_at=_now(),
        message=MessageRef(chat=CANALEJAS, message_id=f"m{n}"),
        text=text,
    )


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


async def feed(bot, *events) -> None:  # type: ignore[no-untyped-def]
    for event in events:
        await bot.ingress.submit(event)
    await settle(bot)


async def all_rows(bot, model, *where):  # type: ignore[no-untyped-def]
    async with bot.db.read() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def test_a_stranger_who_joins_is_flagged_to_the_reviewers(reg_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(), serve_http=False)
    await feed(bot, joined(KARLA))
    reviews = await all_rows(bot, MemberReview)
    assert len(reviews) == 1
    assert reviews[0].resolved_at is None
    notices = await all_rows(bot, OutboxAction, OutboxAction.purpose == "member_unapproved")
    # Gobierno Digital's reviewers and the bot's administrators, privately; not every
    # department (ODAPAS has no use for roster notices).
    assert sorted(n.lane for n in notices) == [
        "local:dm-oficial-analista",
        "local:dm-oficial-gd",
    ]
    assert "Karla Ramírez" in notices[0].payload["text"]
    assert not await all_rows(bot, OutboxAction, OutboxAction.kind == "remove")  # only flagged
    # An official accepts her: the flag is cleared and a later re-join is not flagged again.
    membership = (await all_rows(bot, Membership))[0]
    async with bot.db.transaction() as session:
        await accept_member(session, membership.id, Actor("Gobierno Digital"), _now())
    await feed(bot, left(KARLA), joined(KARLA))
    assert len(await all_rows(bot, OutboxAction, OutboxAction.purpose == "member_unapproved")) == 2


async def test_an_approved_neighbour_who_joins_is_not_flagged(reg_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(), serve_http=False)
    async with bot.db.transaction() as session:
        request = await submit_request(
            bot,
            session,
            NewRequest(full_name="Karla Ramírez", phone="+527615550103", community_id="canalejas"),
            bot.clock.now(),
        )
        await approve(bot, session, request, Actor("Gobierno Digital"), bot.clock.now())
    await settle(bot)
    await feed(bot, joined(KARLA, via="added"))
    assert not await all_rows(bot, MemberReview)


async def test_a_community_can_ask_to_remove_unregistered_members(reg_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import BASE_CONFIG

    communities = [dict(c) for c in BASE_CONFIG["communities"]]
    communities[0]["registration"] = {"remove_unapproved": True}  # Canalejas only
    bot = await make_bot(reg_settings(communities=communities), serve_http=False)
    await feed(bot, joined(KARLA))
    removals = await all_rows(bot, OutboxAction, OutboxAction.kind == "remove")
    assert [(r.lane, r.status) for r in removals] == [("local:canalejas", "done")]
    told = await all_rows(
        bot,
        OutboxAction,
        OutboxAction.purpose == "unapproved_removed",
        OutboxAction.kind == "send",
    )
    assert [t.lane for t in told] == ["local:dm-vecina-karla"]
    assert "/registro" in told[0].payload["text"]
    review = (await all_rows(bot, MemberReview))[0]
    assert (review.resolution, review.resolved_by) == ("removed", "cassbot")
    coscomate = ChatRef(channel="local", chat_id="coscomate")
    beto = UserRef(channel="local", user_id="vecino-beto", display_name="Beto")
    await feed(bot, joined(beto, chat=coscomate))  # Coscomate keeps the default: flag only
    assert len(await all_rows(bot, OutboxAction, OutboxAction.kind == "remove")) == 1


async def test_a_trial_group_only_records_the_removal_of_unregistered_members(
    reg_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import BASE_CONFIG

    communities = [dict(c) for c in BASE_CONFIG["communities"]]
    communities[0]["registration"] = {"remove_unapproved": True}
    communities[0]["groups"] = [{**communities[0]["groups"][0], "dry_run": True}]
    bot = await make_bot(reg_settings(communities=communities), serve_http=False)
    await feed(bot, joined(KARLA))
    planned = await all_rows(bot, OutboxAction, OutboxAction.purpose == "unapproved_removed")
    assert sorted((p.kind, p.lane, p.status) for p in planned) == [
        ("remove", "local:canalejas", "dry_run"),
        ("send", "local:dm-vecina-karla", "dry_run"),
    ]
    # Nothing was carried out: she is still in the group and was told nothing.
    removed = await all_rows(bot, PlaygroundEntry, PlaygroundEntry.kind == "removed")
    assert removed == []
    membership = (await all_rows(bot, Membership))[0]
    assert membership.status == "active"
    review = (await all_rows(bot, MemberReview))[0]
    assert review.resolved_at is None  # still for the officials to decide
    entry = (await all_rows(bot, AuditEntry, AuditEntry.action == "member_unapproved"))[0]
    assert entry.dry_run is True
    assert entry.detail["would_remove"] is True
    assert entry.detail["removed"] is False
    notices = await all_rows(bot, OutboxAction, OutboxAction.purpose == "member_unapproved")
    assert notices
    assert all("modo de prueba" in n.payload["text"] for n in notices)
    assert all(n.status == "done" for n in notices)  # the officials are told for real


async def test_officials_are_made_admins_of_the_groups_they_cover(reg_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(), serve_http=False)
    await feed(bot, joined(ODAPAS), posted(ODAPAS))
    promotions = await all_rows(bot, OutboxAction, OutboxAction.kind == "set_admin")
    assert [(p.lane, p.status) for p in promotions] == [("local:canalejas", "done")]
    assert not await all_rows(bot, MemberReview)  # officials are never flagged
    membership = (await all_rows(bot, Membership))[0]
    assert membership.platform_admin is True  # recorded from the result
    admin_entries = await all_rows(bot, PlaygroundEntry, PlaygroundEntry.kind == "admin")
    assert [e.author_id for e in admin_entries] == ["oficial-odapas"]
    await feed(bot, posted(ODAPAS, "Otro aviso"))
    assert len(await all_rows(bot, OutboxAction, OutboxAction.kind == "set_admin")) == 1
    # The Coscomate-only enlace is not promoted in Canalejas.
    enlace = UserRef(channel="local", user_id="oficial-seguridad", display_name="Enlace")
    await feed(bot, joined(enlace), posted(enlace))
    assert len(await all_rows(bot, OutboxAction, OutboxAction.kind == "set_admin")) == 1


async def test_expelled_by_an_admin_means_on_the_ban_list_until_an_official_decides(
    reg_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(), serve_http=False)
    await feed(bot, joined(KARLA), posted(KARLA), left(KARLA, by=ODAPAS))
    membership = await all_rows(bot, Membership, Membership.status == "removed")
    assert len(membership) == 1
    ban = (await all_rows(bot, CommunityBan))[0]
    assert ban.banned_by == "Directora de ODAPAS"
    assert ban.lifted_at is None
    assert "retirado(a) de CASS Canalejas" in ban.reason
    # Coming back: the core removes her again, and she is not flagged as a mere stranger.
    reviews_before = len(await all_rows(bot, MemberReview, MemberReview.resolved_at.is_(None)))
    await feed(bot, joined(KARLA))
    removals = await all_rows(bot, OutboxAction, OutboxAction.purpose == "ban_enforced")
    assert len(removals) == 1
    assert len(await all_rows(bot, MemberReview, MemberReview.resolved_at.is_(None))) == (
        reviews_before
    )
    # Leaving by herself never bans anyone.
    beto = UserRef(channel="local", user_id="vecino-beto", display_name="Beto")
    await feed(bot, joined(beto), left(beto))
    assert len(await all_rows(bot, CommunityBan)) == 1


async def test_roster_roles_and_csv(reg_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(), serve_http=False)
    await feed(bot, joined(KARLA), joined(ODAPAS), posted(ODAPAS))
    karla = (await all_rows(bot, Membership, Membership.platform_admin.is_(False)))[0]
    async with bot.db.transaction() as session:
        await set_role(
            bot, session, karla.id, "autoridad_local", Actor("Gobierno Digital"), _now()
        )
    async with bot.db.read() as session:
        rows = await roster(bot, session, "canalejas", with_phones=False)
    by_name = {r.name: r for r in rows}
    assert by_name["Karla Ramírez"].role == "autoridad_local"
    assert by_name["Karla Ramírez"].flagged is True
    assert by_name["Directora de ODAPAS"].role == "funcionario"
    assert by_name["Directora de ODAPAS"].platform_admin is True
    text = roster_csv(rows, with_phones=False)
    assert "Autoridad local" in text
    assert "celular" not in text.splitlines()[0]
    audit = await all_rows(bot, AuditEntry, AuditEntry.action == "member_role_set")
    assert audit[0].detail["to"] == "autoridad_local"
    assert audit[0].actor_name == "Gobierno Digital"


async def test_a_join_request_through_an_admissions_link_is_the_applicants(
    reg_settings, make_bot
) -> None:  # type: ignore[no-untyped-def]
    """The link a request came through names the admission, even for an account never seen;
    a channel that cannot approve requests leaves it to the reviewers, saying she is approved."""
    settings = reg_settings()
    bot = await make_bot(
        settings, serve_http=False, adapter_factories=factories(settings, NoAddLocal)
    )
    async with bot.db.transaction() as session:
        new = NewRequest(
            full_name="Rosa Elena Cruz", phone="+527615550123", community_id="canalejas"
        )
        request = await submit_request(bot, session, new, bot.clock.now())
        await approve(bot, session, request, Actor("Gobierno Digital"), bot.clock.now())
    await settle(bot)
    [admission] = await all_rows(bot, Admission)
    assert admission.invite_link
    rosa = UserRef(channel="local", user_id="cuenta-nueva-de-rosa", display_name="Rosa E.")
    asked = JoinRequested(
        dedupe_key=f"local:t:ask:{next(_n)}",
        chat=CANALEJAS,
        actor=rosa,
        member=rosa,
        occurred_at=_now(),
        invite_link=admission.invite_link,
    )
    await feed(bot, asked)

    [identity] = await all_rows(bot, Identity, Identity.user_id == "cuenta-nueva-de-rosa")
    assert identity.person_id == request.person_id
    notices = await all_rows(bot, OutboxAction, OutboxAction.purpose == "join_request_pending")
    assert notices
    assert "Su registro está aprobado" in notices[0].payload["text"]
    assert not await all_rows(bot, OutboxAction, OutboxAction.kind == "approve_join")
    assert not await all_rows(bot, OutboxAction, OutboxAction.purpose == "join_request_register")

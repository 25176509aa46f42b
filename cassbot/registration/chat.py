"""Private-chat commands: /queja, /sugerencia and /apelar."""

from __future__ import annotations

from sqlalchemy import select

from cassbot import texts
from cassbot.commands import CommandRegistry, CommandSpec, ParsedCommand
from cassbot.people import person_by_phone
from cassbot.pipeline import Context
from cassbot.registration.access import shown
from cassbot.registration.appeals import DuplicateAppeal, active_bans_of, file_appeal
from cassbot.registration.feedback import file_feedback
from cassbot.storage.models import Group, Identity, Membership


async def _community_of(ctx: Context) -> str | None:
    """The community of the sender's most recently active group membership, if any."""
    assert ctx.sender is not None
    row = (
        await ctx.session.execute(
            select(Group.community_id)
            .join(Membership, Membership.group_id == Group.id)
            .join(Identity, Identity.id == Membership.identity_id)
            .where(Identity.person_id == ctx.sender.person.id, Membership.status == "active")
            .order_by(Membership.last_seen_at.desc().nulls_last(), Membership.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return row


def _feedback_handler(kind: str):  # type: ignore[no-untyped-def]
    async def handler(ctx: Context, command: ParsedCommand) -> None:
        assert ctx.sender is not None
        text = command.args.strip()
        if not text:
            ctx.reply(
                texts.FEEDBACK_USAGE.format(name=kind, example=texts.FEEDBACK_EXAMPLES[kind]),
                purpose="command",
            )
            return
        limit = ctx.app.settings.registration.max_message_chars
        if len(text) > limit:
            ctx.reply(texts.REG_ERR_MESSAGE_LONG.format(limit=limit), purpose="command")
            return
        item = await file_feedback(
            ctx.app,
            ctx.session,
            kind=kind,
            text=text,
            source="chat",
            now=ctx.now,
            name=ctx.sender.name,
            phone=ctx.sender.person.phone,
            community_id=await _community_of(ctx),
            channel=ctx.chat.channel,
            user_id=ctx.sender.user.user_id,
            person_id=ctx.sender.person.id,
        )
        ctx.reply(
            texts.FEEDBACK_RECEIVED.format(
                kind=texts.FEEDBACK_KIND_NAMES[kind].lower(),
                folio=item.folio,
                code=shown(item.access_code),
                url=ctx.app.base_url,
                hours=f"{ctx.app.settings.registration.review_hours:g}",
            ),
            purpose="command",
        )

    return handler


async def appeal_command(ctx: Context, command: ParsedCommand) -> None:
    assert ctx.sender is not None
    text = command.args.strip()
    if not text:
        ctx.reply(texts.APPEAL_USAGE, purpose="command")
        return
    text = text[: ctx.app.settings.registration.max_message_chars]
    # The chat identity may belong to a phone-less person while the ban is on the person the
    # phone number identifies (the identity learned its number later): look at both.
    person_ids = {ctx.sender.person.id}
    for phone in {ctx.sender.person.phone, ctx.sender.identity.phone} - {None}:
        owner = await person_by_phone(ctx.session, phone)  # type: ignore[arg-type]
        if owner is not None:
            person_ids.add(owner.id)
    bans = [ban for pid in sorted(person_ids) for ban in await active_bans_of(ctx.session, pid)]
    if not bans:
        ctx.reply(texts.APPEAL_NO_BAN, purpose="command")
        return
    answers = []
    for ban in bans:
        try:
            appeal = await file_appeal(
                ctx.app,
                ctx.session,
                ban=ban,
                text=text,
                source="chat",
                now=ctx.now,
                channel=ctx.chat.channel,
                user_id=ctx.sender.user.user_id,
            )
        except DuplicateAppeal as duplicate:
            answers.append(texts.APPEAL_DUPLICATE.format(folio=duplicate.folio))
            continue
        answers.append(
            texts.APPEAL_RECEIVED.format(
                folio=appeal.folio,
                code=shown(appeal.access_code),
                hours=f"{ctx.app.settings.registration.review_hours:g}",
            )
        )
    ctx.reply("\n".join(answers), purpose="command")


def register_chat_commands(registry: CommandRegistry) -> None:
    registry.register(
        CommandSpec(
            name="queja",
            aliases=("complaint",),
            handler=_feedback_handler("queja"),
            summary="envía una queja a Gobierno Digital (respuesta en 24 h)",
            usage="texto",
            where="private",
        )
    )
    registry.register(
        CommandSpec(
            name="sugerencia",
            aliases=("suggestion",),
            handler=_feedback_handler("sugerencia"),
            summary="envía una sugerencia a Gobierno Digital",
            usage="texto",
            where="private",
        )
    )
    registry.register(
        CommandSpec(
            name="apelar",
            aliases=("appeal",),
            handler=appeal_command,
            summary="pide revisar tu expulsión de un grupo CASS",
            usage="motivo",
            where="private",
        )
    )

"""The admins' moderation commands (Spanish names, English aliases), on every channel.

Replying to a message with a command targets its author; otherwise `@name`. Every command
goes through the same records as automatic decisions (cases, points, audit), so each step is
explainable and can be undone with /deshacer.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select

from cassbot import texts
from cassbot.commands import CommandRegistry, CommandSpec, ParsedCommand
from cassbot.enforcement.apply import apply_decision, load_standing
from cassbot.enforcement.manual import manual_expulsion, manual_report, manual_warning
from cassbot.enforcement.targets import (
    AmbiguousTarget,
    Target,
    resolve_target,
    sender_for_identity,
)
from cassbot.enforcement.undo import lift_bans, readmit, undo_case
from cassbot.events import ChatRef, MessageRef
from cassbot.localtime import show_date
from cassbot.pipeline import Context
from cassbot.storage.models import Community, Group, Identity, ModerationCase, PointsRecord
from moderation.findings import Finding, ScreenReport
from moderation.policy import decide

ADMINS = frozenset({"funcionario", "administrador"})


async def _target(ctx: Context, command: ParsedCommand, name: str) -> Target | None:
    try:
        target = await resolve_target(ctx, command.args)
    except AmbiguousTarget as ambiguous:
        ctx.reply(
            texts.ENF_TARGET_AMBIGUOUS.format(
                handle=ambiguous.handle, names=", ".join(ambiguous.names), command=name
            ),
            purpose="command",
        )
        return None
    if target is None:
        words = command.args.split()
        if words and words[0].startswith("@"):
            ctx.reply(texts.ENF_TARGET_NOT_FOUND.format(handle=words[0]), purpose="command")
        else:
            ctx.reply(texts.ENF_NEED_TARGET.format(command=name), purpose="command")
        return None
    return target


async def _sanction(ctx: Context, command: ParsedCommand, name: str, *, expel: bool) -> None:
    """/advertir and /expulsar: the same target rules, records and effects on every channel."""
    target = await _target(ctx, command, name)
    if target is None:
        return
    if target.sender.exempt:
        ctx.reply(texts.ENF_EXEMPT_TARGET.format(who=target.sender.name), purpose="command")
        return
    assert ctx.place is not None
    policy = ctx.place.community.policy
    standing = await load_standing(ctx, target.sender)
    reason = target.rest or texts.ENF_REASON_DEFAULT
    delete = target.message is not None
    if expel:
        decision = manual_expulsion(
            standing, policy, reason=reason, delete=delete, dry_run=ctx.dry_run
        )
    else:
        window_points = sum(e.points for e in standing.history if not e.cleared)
        decision = manual_warning(
            standing, policy, reason=reason, now_points=window_points, delete=delete,
            dry_run=ctx.dry_run,
        )  # fmt: skip
    await apply_decision(
        ctx,
        decision,
        manual_report(decision.rule_id or f"manual.{name}", reason),
        subject=target.sender,
        source="manual",
        message=target.message,
        reason=reason,
    )


async def warn_command(ctx: Context, command: ParsedCommand) -> None:
    await _sanction(ctx, command, "advertir", expel=False)


async def expel_command(ctx: Context, command: ParsedCommand) -> None:
    await _sanction(ctx, command, "expulsar", expel=True)


async def readmit_command(ctx: Context, command: ParsedCommand) -> None:
    target = await _target(ctx, command, "readmitir")
    if target is None:
        return
    assert ctx.place is not None
    assert ctx.sender is not None
    community = ctx.place.community
    person = target.sender.person
    if not await lift_bans(ctx, community.id, person.id, by=ctx.sender.name):
        ctx.reply(texts.ENF_NOT_BANNED.format(who=target.sender.name), purpose="command")
        return
    added = await readmit(ctx, community.id, person.id)
    await ctx.audit(
        "moderation.readmit",
        subject=target.sender.identity,
        actor_kind="official",
        detail={"summary": "Readmitido en la comunidad", "added": added},
    )
    ctx.reply(texts.ENF_READMITTED_ADMIN.format(who=target.sender.name), purpose="command")
    how = texts.ENF_READMIT_HOW_ADDED if added else texts.ENF_READMIT_HOW_LINK
    ctx.tell_privately(
        target.sender.user,
        texts.ENF_READMITTED_PERSON.format(
            who=target.sender.name, community=community.name, how=how
        ),
        purpose="moderation.readmit_notice",
        fallback_in_chat=False,
    )


async def pardon_command(ctx: Context, command: ParsedCommand) -> None:
    target = await _target(ctx, command, "perdonar")
    if target is None:
        return
    assert ctx.place is not None
    assert ctx.sender is not None
    records = (
        (
            await ctx.session.execute(
                select(PointsRecord).where(
                    PointsRecord.community_id == ctx.place.community.id,
                    PointsRecord.person_id == target.sender.person.id,
                    PointsRecord.cleared_at.is_(None),
                )
            )
        )
        .scalars()
        .all()
    )
    if not records:
        ctx.reply(texts.ENF_NO_WARNINGS.format(who=target.sender.name), purpose="command")
        return
    for record in records:
        record.cleared_at = ctx.now
        record.cleared_by = ctx.sender.name
        record.cleared_reason = "pardoned"
    await ctx.audit(
        "moderation.pardon",
        subject=target.sender.identity,
        actor_kind="official",
        detail={"summary": "Advertencias borradas", "count": len(records)},
    )
    ctx.reply(
        texts.ENF_PARDONED.format(who=target.sender.name, count=len(records)), purpose="command"
    )
    ctx.tell_privately(
        target.sender.user,
        texts.ENF_PARDONED_PERSON.format(who=target.sender.name),
        purpose="moderation.pardon_notice",
        fallback_in_chat=False,
    )


async def warnings_command(ctx: Context, command: ParsedCommand) -> None:
    """Anyone may see their own warnings (in private); admins anyone's."""
    assert ctx.sender is not None
    asking_about_other = bool(command.args.strip()) or (
        ctx.event.kind == "message.posted" and getattr(ctx.event, "reply_to_author", None)
    )
    if asking_about_other:
        if ctx.sender.role not in ADMINS:
            ctx.reply(
                texts.NOT_ALLOWED.format(
                    name="advertencias @nombre", who="funcionarios y administradores"
                ),
                purpose="command",
            )
            return
        target = await _target(ctx, command, "advertencias")
        if target is None:
            return
        subject = target.sender
    else:
        subject = ctx.sender
    # In a group: this community; in private: every community the person has warnings in.
    query = (
        select(PointsRecord, ModerationCase)
        .join(ModerationCase, ModerationCase.id == PointsRecord.case_id)
        .where(
            PointsRecord.person_id == subject.person.id,
            PointsRecord.cleared_at.is_(None),
        )
        .order_by(PointsRecord.at)
    )
    if ctx.place is not None:
        query = query.where(PointsRecord.community_id == ctx.place.community.id)
    rows = (await ctx.session.execute(query)).all()
    active = []
    windows = set()
    for record, case in rows:
        community = ctx.app.directory.community(record.community_id)
        window = community.policy.ladder.window_days if community else 30.0
        if record.at > ctx.now - timedelta(days=window):
            active.append((record, case))
            windows.add(window)
    if not active:
        text = texts.ENF_NO_WARNINGS.format(who=subject.name)
    else:
        days = f"{max(windows):g}"
        lines = [texts.ENF_WARNINGS_HEADER.format(who=subject.name, count=len(active), days=days)]
        for record, case in active:
            reason = texts.MOD_REASONS.get(case.category, texts.ENF_REASON_DEFAULT)
            lines.append(
                texts.ENF_WARNINGS_LINE.format(
                    date=show_date(record.at), summary=reason, case=case.id
                )
            )
        text = "\n".join(lines)
    if subject is ctx.sender:
        ctx.tell_privately(ctx.sender.user, text, purpose="command")
    else:
        ctx.reply(text, purpose="command")


async def dry_run_command(ctx: Context, command: ParsedCommand) -> None:
    assert ctx.group is not None
    argument = command.args.strip().lower()
    if argument in ("on", "si", "sí", "activar", "encender"):
        ctx.group.dry_run_override = True
        text = texts.ENF_DRY_RUN_ON
    elif argument in ("off", "no", "desactivar", "apagar"):
        ctx.group.dry_run_override = False
        text = texts.ENF_DRY_RUN_OFF
    elif not argument:
        state = "activado" if ctx.dry_run else "desactivado"
        ctx.reply(texts.ENF_DRY_RUN_STATUS.format(state=state), purpose="command")
        return
    else:
        ctx.reply(texts.ENF_DRY_RUN_USAGE, purpose="command")
        return
    await ctx.audit(
        "moderation.dry_run",
        actor_kind="official",
        detail={
            "summary": "Modo de prueba " + ("activado" if ctx.dry_run else "desactivado"),
            "dry_run": ctx.dry_run,
        },
    )
    ctx.reply(text, purpose="command")


# --- The review queue and undo (work in the group or in private) ---------------------------


def _covered(ctx: Context) -> set[str] | None:
    """Communities the sender may moderate (None: all)."""
    assert ctx.sender is not None
    official = ctx.sender.official
    if official is not None:
        if official.role == "administrador" or "*" in official.communities:
            return None
        return set(official.communities)
    return {ctx.place.community.id} if ctx.place is not None else set()


async def _case(ctx: Context, command: ParsedCommand, name: str) -> ModerationCase | None:
    words = command.args.split()
    raw = words[0].lstrip("#") if words else ""
    if not raw.isdigit():
        ctx.reply(texts.ENF_CASE_USAGE.format(command=name), purpose="command")
        return None
    case = await ctx.session.get(ModerationCase, int(raw))
    covered = _covered(ctx)
    if case is None or (covered is not None and case.community_id not in covered):
        ctx.reply(texts.ENF_CASE_NOT_FOUND.format(case=raw), purpose="command")
        return None
    return case


async def _in_case_group(ctx: Context, case: ModerationCase) -> tuple[Context, ChatRef] | None:
    group = await ctx.session.get(Group, case.group_id) if case.group_id else None
    if group is None:
        return None
    chat = ChatRef(channel=group.channel, chat_id=group.chat_id)
    place = ctx.app.directory.place(chat)
    if place is None:
        return None
    return dataclasses.replace(ctx, place=place, group=group), chat


async def review_list_command(ctx: Context, command: ParsedCommand) -> None:
    covered = _covered(ctx)
    query = (
        select(ModerationCase, Identity.display_name, Community.name)
        .join(Identity, Identity.id == ModerationCase.subject_identity_id)
        .join(Community, Community.id == ModerationCase.community_id)
        .where(ModerationCase.status == "review")
        .order_by(ModerationCase.id)
        .limit(15)
    )
    if covered is not None:
        query = query.where(ModerationCase.community_id.in_(covered))
    rows = (await ctx.session.execute(query)).all()
    if not rows:
        ctx.reply(texts.ENF_REVIEW_EMPTY, purpose="command")
        return
    lines = [texts.ENF_REVIEW_HEADER]
    for case, who, community in rows:
        excerpt = (case.text or "").replace("\n", " ")
        lines.append(
            texts.ENF_REVIEW_LINE.format(
                case=case.id,
                community=community,
                who=who or "?",
                excerpt=excerpt[:80] + ("…" if len(excerpt) > 80 else ""),
                reason=texts.MOD_REASONS.get(case.category, case.category),
            )
        )
    ctx.reply("\n".join(lines), purpose="command")


async def confirm_command(ctx: Context, command: ParsedCommand) -> None:
    case = await _case(ctx, command, "confirmar")
    if case is None:
        return
    if case.status != "review":
        ctx.reply(
            texts.ENF_CASE_NOT_PENDING.format(case=case.id, status=case.status), purpose="command"
        )
        return
    located = await _in_case_group(ctx, case)
    subject_identity = await ctx.session.get(Identity, case.subject_identity_id)
    if located is None or subject_identity is None:
        ctx.reply(texts.ENF_CASE_NOT_FOUND.format(case=case.id), purpose="command")
        return
    group_ctx, chat = located
    assert ctx.sender is not None
    assert group_ctx.place is not None
    span = (case.span_start or 0, case.span_end or 0)
    finding = Finding(
        case.rule_id,
        case.category,
        max(case.severity, 2),
        span,
        "violation",
        detail="confirmado por " + ctx.sender.name,
    )
    report = ScreenReport(
        case.text or "", (finding,), True, "act", max(case.severity, 2), (case.category,), None
    )
    subject = await sender_for_identity(group_ctx, subject_identity)
    decision = decide(
        report,
        standing=await load_standing(group_ctx, subject),
        settings=group_ctx.place.community.policy,
        now=ctx.now,
        dry_run=group_ctx.dry_run,
    )
    message = MessageRef(chat=chat, message_id=case.message_id) if case.message_id else None
    await apply_decision(
        group_ctx,
        decision,
        report,
        subject=subject,
        source="manual",
        group_chat=chat,
        message=message,
    )
    case.status = "confirmed"
    case.reviewed_by = ctx.sender.name
    case.reviewed_at = ctx.now
    ctx.reply(texts.ENF_CASE_CONFIRMED.format(case=case.id), purpose="command")


async def dismiss_command(ctx: Context, command: ParsedCommand) -> None:
    case = await _case(ctx, command, "descartar")
    if case is None:
        return
    if case.status != "review":
        ctx.reply(
            texts.ENF_CASE_NOT_PENDING.format(case=case.id, status=case.status), purpose="command"
        )
        return
    assert ctx.sender is not None
    case.status = "dismissed"
    case.reviewed_by = ctx.sender.name
    case.reviewed_at = ctx.now
    located = await _in_case_group(ctx, case)
    audit_ctx = located[0] if located else ctx
    await audit_ctx.audit(
        "moderation.dismissed",
        rule_id=case.rule_id,
        actor_kind="official",
        detail={"summary": f"Caso #{case.id} descartado", "case_id": case.id},
    )
    ctx.reply(texts.ENF_CASE_DISMISSED.format(case=case.id), purpose="command")


async def undo_command(ctx: Context, command: ParsedCommand) -> None:
    case = await _case(ctx, command, "deshacer")
    if case is None:
        return
    assert ctx.sender is not None
    located = await _in_case_group(ctx, case)
    work_ctx = located[0] if located else ctx
    description = await undo_case(work_ctx, case, by=ctx.sender.name)
    if description is None:
        ctx.reply(texts.ENF_UNDO_ALREADY.format(case=case.id), purpose="command")
        return
    ctx.reply(texts.ENF_UNDONE.format(case=case.id, what=description), purpose="command")


def register_moderation_commands(registry: CommandRegistry) -> None:
    specs = [
        CommandSpec(
            "advertir",
            warn_command,
            "advierte a alguien (cuenta para la baja)",
            usage="@nombre [motivo]",
            aliases=("warn",),
            roles=ADMINS,
            where="group",
        ),
        CommandSpec(
            "expulsar",
            expel_command,
            "da de baja a alguien de la comunidad",
            usage="@nombre [motivo]",
            aliases=("expel", "kick", "ban"),
            roles=ADMINS,
            where="group",
        ),
        CommandSpec(
            "readmitir",
            readmit_command,
            "levanta la baja de alguien",
            usage="@nombre",
            aliases=("readmit", "unban"),
            roles=ADMINS,
            where="group",
        ),
        CommandSpec(
            "perdonar",
            pardon_command,
            "borra las advertencias de alguien",
            usage="@nombre",
            aliases=("pardon", "forgive"),
            roles=ADMINS,
            where="group",
        ),
        CommandSpec(
            "advertencias",
            warnings_command,
            "muestra tus advertencias vigentes",
            usage="[@nombre]",
            aliases=("warnings",),
        ),
        CommandSpec(
            "prueba",
            dry_run_command,
            "activa o quita el modo de prueba del grupo",
            usage="on|off",
            aliases=("dryrun", "test"),
            roles=ADMINS,
            where="group",
        ),
        CommandSpec(
            "revisar",
            review_list_command,
            "lista los casos por revisar (en privado)",
            aliases=("review",),
            roles=ADMINS,
            where="private",
        ),
        CommandSpec(
            "confirmar",
            confirm_command,
            "confirma un caso en revisión",
            usage="NÚMERO",
            aliases=("confirm",),
            roles=ADMINS,
        ),
        CommandSpec(
            "descartar",
            dismiss_command,
            "descarta un caso en revisión",
            usage="NÚMERO",
            aliases=("dismiss",),
            roles=ADMINS,
        ),
        CommandSpec(
            "deshacer",
            undo_command,
            "deshace una sanción (advertencia o baja)",
            usage="NÚMERO",
            aliases=("undo",),
            roles=ADMINS,
        ),
    ]
    for spec in specs:
        registry.register(spec)

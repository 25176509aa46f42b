"""The admins' moderation commands (Spanish names, English aliases), on every channel.

Replying to a message with a command targets its author; otherwise `@name`. Every command
goes through the same records as automatic decisions (cases, points, audit), so each step is
explainable and can be undone with /deshacer.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cassbot import texts
from cassbot.commands import CommandRegistry, CommandSpec, ParsedCommand
from cassbot.enforcement.apply import apply_decision, load_standing
from cassbot.enforcement.cases import CaseRefused, Refusal, find_case
from cassbot.enforcement.manual import manual_expulsion, manual_report, manual_warning
from cassbot.enforcement.review import confirm_case, dismiss_case
from cassbot.enforcement.session import ModerationSession
from cassbot.enforcement.targets import AmbiguousTarget, Target, resolve_target
from cassbot.enforcement.undo import lift_bans, readmit, undo_case
from cassbot.localtime import show_date
from cassbot.pipeline import Context
from cassbot.storage.models import Community, Identity, ModerationCase, PointsRecord

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
    ms = ModerationSession.for_event(ctx, signed=True)
    policy = ctx.place.community.policy
    standing = await load_standing(ms, target.sender)
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
        ms,
        decision,
        manual_report(decision.rule_id or f"manual.{name}", reason),
        subject=target.sender,
        source="manual",
        group_chat=ctx.chat,
        message=target.message if target.message is not None else ctx.message_ref,
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
    ms = ModerationSession.for_event(ctx, signed=True)
    if not await lift_bans(ms, community.id, person.id, by=ctx.sender.name):
        ctx.reply(texts.ENF_NOT_BANNED.format(who=target.sender.name), purpose="command")
        return
    added = await readmit(ms, community.id, person.id)
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
    try:
        return await find_case(
            ModerationSession.for_event(ctx, signed=True), int(raw), _covered(ctx)
        )
    except CaseRefused:
        ctx.reply(texts.ENF_CASE_NOT_FOUND.format(case=raw), purpose="command")
        return None


def _refused(ctx: Context, refused: CaseRefused, case: ModerationCase) -> None:
    """Answer a refused decision with the same words the commands always used."""
    if refused.refusal == Refusal.NOT_PENDING:
        text = texts.ENF_CASE_NOT_PENDING.format(case=case.id, status=case.status)
    elif refused.refusal == Refusal.ALREADY_UNDONE:
        text = texts.ENF_UNDO_ALREADY.format(case=case.id)
    elif refused.refusal == Refusal.NOT_A_SANCTION:
        text = texts.ENF_UNDO_NOT_A_SANCTION.format(case=case.id, status=case.status)
    else:
        text = texts.ENF_CASE_NOT_FOUND.format(case=case.id)
    ctx.reply(text, purpose="command")


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
    try:
        outcome = await confirm_case(ModerationSession.for_event(ctx, signed=True), case)
    except CaseRefused as refused:
        _refused(ctx, refused, case)
        return
    ctx.reply(
        texts.ENF_CASE_CONFIRMED.format(case=case.id, sanction=outcome.case_id),
        purpose="command",
    )


async def dismiss_command(ctx: Context, command: ParsedCommand) -> None:
    case = await _case(ctx, command, "descartar")
    if case is None:
        return
    try:
        await dismiss_case(ModerationSession.for_event(ctx, signed=True), case)
    except CaseRefused as refused:
        _refused(ctx, refused, case)
        return
    ctx.reply(texts.ENF_CASE_DISMISSED.format(case=case.id), purpose="command")


async def undo_command(ctx: Context, command: ParsedCommand) -> None:
    case = await _case(ctx, command, "deshacer")
    if case is None:
        return
    try:
        # Only sanctions are undone (a review case sanctioned nobody: its sanction is undone).
        description = await undo_case(
            ModerationSession.for_event(ctx, signed=True), case, only=("applied", "dry_run")
        )
    except CaseRefused as refused:
        _refused(ctx, refused, case)
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

"""Moderation in the officials' panel: the review queue, recent sanctions, one case's story.

The buttons run the same code as /confirmar, /descartar and /deshacer, on a ModerationSession
signed by the panel user's official (else their display name) with `via: panel` in the audit
log; the planned actions go to the outbox in the same transaction as the decision. Decisions
redirect back with a notice (post/redirect/get), so a reload never repeats them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.enforcement.cases import CaseRefused, Refusal, find_case
from cassbot.enforcement.review import confirm_case, dismiss_case
from cassbot.enforcement.session import ModerationSession, Moderator
from cassbot.enforcement.undo import undo_case
from cassbot.panel.roles import SCOPED_ROLES
from cassbot.panel.site import PanelSite, PanelUserView
from cassbot.registration.dates import show
from cassbot.storage.models import AuditEntry, Identity, ModerationCase

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

BASE = "/panel/moderacion"
PAGE_SIZE = 25
QUEUE_LIMIT = 200
SANCTIONS = ("applied", "dry_run")  # what the panel offers to undo
LISTED = ("applied", "dry_run", "undone")  # the recent sanctions list
EXCERPT = 160


@dataclass(frozen=True, slots=True)
class CaseRow:
    case: ModerationCase
    who: str
    community: str
    reason: str

    @property
    def excerpt(self) -> str:
        text = " ".join((self.case.text or "").split())
        return text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")

    @property
    def effects(self) -> str:
        if self.case.effects == ["review"]:
            return texts.MODPANEL_EFFECTS["review"]
        labels = [texts.MODPANEL_EFFECTS.get(e, e) for e in self.case.effects if e != "review"]
        return ", ".join(labels) or "—"

    @property
    def decided_by(self) -> str:
        return self.case.actor_name if self.case.source == "manual" else "Automático (cassbot)"


@dataclass(frozen=True, slots=True)
class Highlight:
    before: str
    match: str
    after: str


def highlight(case: ModerationCase) -> Highlight | None:
    """The stored text split around the matched span (None when there is no text)."""
    text = case.text
    if not text:
        return None
    start, end = case.span_start, case.span_end
    if start is None or end is None or not 0 <= start < end <= len(text):
        return Highlight(text, "", "")
    return Highlight(text[:start], text[start:end], text[end:])


def _safe_back(target: str, default: str) -> str:
    """Only the moderation pages themselves (no open redirects)."""
    if target.startswith(BASE) and "//" not in target and "\\" not in target:
        return target
    return default


def _done(back: str, **params: str) -> web.HTTPSeeOther:
    separator = "&" if "?" in back else "?"
    return web.HTTPSeeOther(f"{back}{separator}{urlencode(params)}")


class ModerationPages:
    def __init__(
        self, app: CassBot, site: PanelSite, community_names: Callable[[], list[tuple[str, str]]]
    ) -> None:
        self.app = app
        self.site = site
        self.community_names = community_names

    def register(self) -> None:
        add = self.site.add
        add("GET", BASE, self.overview, "moderacion")
        add("GET", BASE + "/{case}", self.detail, "moderacion")
        add("POST", BASE + "/{case}/confirmar", self.confirm, "moderacion")
        add("POST", BASE + "/{case}/descartar", self.dismiss, "moderacion")
        add("POST", BASE + "/{case}/deshacer", self.undo, "moderacion")

    # Scope ------------------------------------------------------------------------------------

    def _communities(self, user: PanelUserView) -> list[tuple[str, str]]:
        return [(i, n) for i, n in self.community_names() if user.covers(i)]

    def _covered(self, user: PanelUserView) -> set[str] | None:
        return covered_communities(user, self.community_names())

    def _community_name(self, community_id: str) -> str:
        community = self.app.directory.community(community_id)
        return community.name if community else community_id

    def _message(
        self, request: web.Request, user: PanelUserView, status: int, title: str, message: str
    ) -> web.Response:
        return self.site.page(
            request, user, "panel_mensaje.html", status=status, title=title, message=message
        )

    # Pages ------------------------------------------------------------------------------------

    async def overview(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        communities = self._communities(user)
        chosen = request.query.get("comunidad", "")
        if chosen and chosen not in {i for i, _ in communities}:
            return self._message(request, user, 403, "Sin permiso", texts.PANEL_FORBIDDEN)
        scope: Collection[str] | None = {chosen} if chosen else self._covered(user)
        try:
            page = max(1, int(request.query.get("pagina", "1")))
        except ValueError:
            page = 1
        async with self.app.db.read() as session:
            queue = await self._rows(
                session,
                scope,
                ModerationCase.status == "review",
                ModerationCase.id.asc(),
                limit=QUEUE_LIMIT,
            )
            sanctions = await self._rows(
                session,
                scope,
                ModerationCase.status.in_(LISTED),
                ModerationCase.id.desc(),
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE + 1,
            )
        more = len(sanctions) > PAGE_SIZE
        return self.page(
            request,
            user,
            "panel_moderacion.html",
            queue=queue,
            sanctions=sanctions[:PAGE_SIZE],
            communities=communities,
            chosen=chosen,
            page=page,
            more=more,
            query=lambda **changes: _query(chosen=chosen, page=page, **changes),
            back="?".join(filter(None, (BASE, _query(chosen=chosen, page=page)))),
        )

    async def detail(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._detail(request, user)

    async def _detail(
        self,
        request: web.Request,
        user: PanelUserView,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> web.StreamResponse:
        case_id = _case_id(request)
        covered = self._covered(user)
        async with self.app.db.read() as session:
            case = await session.get(ModerationCase, case_id) if case_id is not None else None
            if case is None or (covered is not None and case.community_id not in covered):
                return self._message(request, user, 404, "No encontrado", texts.MODPANEL_NOT_FOUND)
            identity = await session.get(Identity, case.subject_identity_id)
            trail = list(
                (
                    await session.execute(
                        select(AuditEntry)
                        .where(AuditEntry.at >= case.created_at, _about(case))
                        .order_by(AuditEntry.id)
                    )
                ).scalars()
            )
        row = CaseRow(
            case,
            (identity.display_name or identity.user_id) if identity else "?",
            self._community_name(case.community_id),
            texts.MOD_REASONS.get(case.category, case.category),
        )
        applied = next(
            (
                int(e.detail["applied_case_id"])
                for e in trail
                if e.action == "moderation.confirmed" and e.detail.get("case_id") == case.id
            ),
            None,
        )
        reviewed = next(
            (
                int(e.detail["case_id"])
                for e in trail
                if e.action == "moderation.confirmed"
                and e.detail.get("applied_case_id") == case.id
            ),
            None,
        )
        return self.page(
            request,
            user,
            "panel_caso.html",
            status=status,
            error=error,
            row=row,
            case=case,
            text=highlight(case),
            trail=trail,
            applied_case=applied,
            reviewed_case=reviewed,
            channel=texts.CHANNEL_NAMES.get(identity.channel, identity.channel)
            if identity
            else "",
            back=f"{BASE}/{case.id}",
        )

    def page(
        self, request: web.Request, user: PanelUserView, template: str, **context: Any
    ) -> web.Response:
        return self.site.page(
            request,
            user,
            template,
            done=self._notice(request),
            sanctions_undoable=SANCTIONS,
            **context,
        )

    def _notice(self, request: web.Request) -> str | None:
        """The confirmation after a redirect, from known parts only (no text from the URL)."""
        key = request.query.get("hecho", "")
        case = request.query.get("caso", "")
        if key not in texts.MODPANEL_DONE or not case.isdigit():
            return None
        applied = request.query.get("aplicado", "")
        parts = request.query.get("deshecho", "").split(",")
        known = {"puntos": texts.ENF_UNDO_WHAT_POINTS, "baja": texts.ENF_UNDO_WHAT_BAN}
        what = ", ".join(known[p] for p in parts if p in known)
        return texts.MODPANEL_DONE[key].format(
            case=case,
            applied=applied if applied.isdigit() else "?",
            what=what or texts.ENF_SUMMARY_RECORDED.lower(),
        )

    # Decisions --------------------------------------------------------------------------------

    async def confirm(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._decide(request, user, "confirmar")

    async def dismiss(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._decide(request, user, "descartar")

    async def undo(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._decide(request, user, "deshacer")

    async def _decide(
        self, request: web.Request, user: PanelUserView, verb: str
    ) -> web.StreamResponse:
        case_id = _case_id(request)
        if case_id is None:
            return self._message(request, user, 404, "No encontrado", texts.MODPANEL_NOT_FOUND)
        form = await request.post()
        back = _safe_back(str(form.get("volver", "")), f"{BASE}/{case_id}")
        actor = user.actor
        moderator = Moderator(name=actor.name, via="panel", panel_user=user.username)
        try:
            async with self.app.db.transaction() as session:
                ms = ModerationSession(
                    app=self.app,
                    session=session,
                    now=self.app.clock.now(),
                    key_scope=f"panel:case{case_id}:{verb}",  # each happens once per case
                    moderator=moderator,
                )
                try:
                    params = await self._run(ms, case_id, verb, self._covered(user))
                except CaseRefused as refused:  # worded while the case is still loaded
                    raise _Refused(refused.refusal, _refusal_text(refused)) from None
                await self.app.persist_planned(ms)
        except _Refused as refused:  # rolled back: nothing changed
            logger.info(
                "panel moderation refused",
                extra={"case": case_id, "verb": verb, "refusal": refused.refusal.value},
            )
            if refused.refusal == Refusal.NOT_FOUND:
                return self._message(request, user, 404, "No encontrado", texts.MODPANEL_NOT_FOUND)
            return await self._detail(request, user, status=409, error=str(refused))
        logger.info(
            "panel moderation decision",
            extra={"case": case_id, "verb": verb, "user": user.username},
        )
        self.app.outbox.wake()
        raise _done(back, **params)

    async def _run(
        self, ms: ModerationSession, case_id: int, verb: str, covered: set[str] | None
    ) -> dict[str, str]:
        """Do what the command of the same name does; returns the notice's parameters."""
        case = await find_case(ms, case_id, covered)
        if verb == "confirmar":
            outcome = await confirm_case(ms, case)
            return {"hecho": "confirmed", "caso": str(case_id), "aplicado": str(outcome.case_id)}
        if verb == "descartar":
            await dismiss_case(ms, case)
            return {"hecho": "dismissed", "caso": str(case_id)}
        what = await undo_case(ms, case, only=SANCTIONS)
        codes = [
            code
            for code, fragment in (
                ("puntos", texts.ENF_UNDO_WHAT_POINTS),
                ("baja", texts.ENF_UNDO_WHAT_BAN),
            )
            if fragment in what
        ]
        return {"hecho": "undone", "caso": str(case_id), "deshecho": ",".join(codes)}

    # Queries ----------------------------------------------------------------------------------

    async def _rows(
        self,
        session: AsyncSession,
        scope: Collection[str] | None,
        condition: ColumnElement[bool],
        order: Any,
        *,
        limit: int,
        offset: int = 0,
    ) -> list[CaseRow]:
        query = (
            select(ModerationCase, Identity.display_name)
            .join(Identity, Identity.id == ModerationCase.subject_identity_id)
            .where(condition)
            .order_by(order)
            .offset(offset)
            .limit(limit)
        )
        if scope is not None:
            query = query.where(ModerationCase.community_id.in_(scope))
        return [
            CaseRow(
                case,
                who or "?",
                self._community_name(case.community_id),
                texts.MOD_REASONS.get(case.category, case.category),
            )
            for case, who in (await session.execute(query)).all()
        ]


def _query(**values: object) -> str:
    """The overview's query string (community filter and page), without empty values."""
    names = {"chosen": "comunidad", "page": "pagina"}
    return urlencode({names[k]: v for k, v in values.items() if v and v != 1})


def _case_id(request: web.Request) -> int | None:
    raw = request.match_info.get("case", "").lstrip("#")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _about(case: ModerationCase) -> Any:
    """Audit entries about the case: its decision, reviews, undo, and a confirmation's link."""
    conditions = [
        AuditEntry.detail["case_id"].as_integer() == case.id,
        AuditEntry.detail["applied_case_id"].as_integer() == case.id,
    ]
    if case.audit_id is not None:
        conditions += [AuditEntry.id == case.audit_id, AuditEntry.undo_of_id == case.audit_id]
    return and_(AuditEntry.action.startswith("moderation."), or_(*conditions))


class _Refused(Exception):
    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message)
        self.refusal = refusal


def _refusal_text(refused: CaseRefused) -> str:
    case = refused.case
    if case is None:
        return texts.MODPANEL_NOT_FOUND
    when = show(case.reviewed_at)
    who = case.reviewed_by or "—"
    if refused.refusal == Refusal.NOT_PENDING:
        status = texts.MODPANEL_STATUS.get(case.status, case.status).lower()
        return texts.MODPANEL_DECIDED.format(case=case.id, status=status, who=who, when=when)
    if refused.refusal == Refusal.ALREADY_UNDONE:
        return texts.MODPANEL_ALREADY_UNDONE.format(case=case.id, who=who, when=when)
    if refused.refusal == Refusal.NOT_A_SANCTION:
        status = texts.MODPANEL_STATUS.get(case.status, case.status).lower()
        return texts.MODPANEL_NOT_UNDOABLE.format(case=case.id, status=status)
    return texts.MODPANEL_NO_GROUP.format(case=case.id)


def covered_communities(
    user: PanelUserView, communities: list[tuple[str, str]]
) -> set[str] | None:
    """The communities a panel user may moderate (None: all, for the roles not scoped)."""
    if user.role not in SCOPED_ROLES:
        return None
    return {i for i, _ in communities if user.covers(i)}


async def pending_reviews(session: AsyncSession, scope: Collection[str] | None) -> int:
    """How many cases wait for review in the scope (for the panel's home page)."""
    query = select(func.count()).select_from(ModerationCase)
    query = query.where(ModerationCase.status == "review")
    if scope is not None:
        query = query.where(ModerationCase.community_id.in_(scope))
    return int((await session.execute(query)).scalar_one())


def register_moderation_pages(
    app: CassBot, site: PanelSite, community_names: Callable[[], list[tuple[str, str]]]
) -> None:
    ModerationPages(app, site, community_names).register()

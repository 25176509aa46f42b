"""The panel pages for registrations, complaints, appeals, bans, rosters and accounts.

Each page is declared with its permission (see `cassbot.panel.roles`); the site wrapper does
the session, role and CSRF checks before any handler here runs. Decisions redirect back with
a notice (post/redirect/get), so a reload never repeats them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import ColumnElement, func, select

from cassbot import texts
from cassbot.enforcement.web_panel import covered_communities, pending_reviews
from cassbot.panel.roles import ROLE_LABELS
from cassbot.panel.site import PanelUserView
from cassbot.registration.admission import admissions_for_request
from cassbot.registration.appeals import appeal_by_folio, decide_appeal
from cassbot.registration.bans import lift_ban
from cassbot.registration.common import DecisionError
from cassbot.registration.deadlines import is_overdue
from cassbot.registration.feedback import answer_feedback, feedback_by_folio
from cassbot.registration.requests import approve, ask_info, by_folio, current_ban, reject
from cassbot.registration.roster import SETTABLE_ROLES, accept_member, roster, roster_csv, set_role
from cassbot.storage.models import (
    Appeal,
    CommunityBan,
    FeedbackItem,
    Group,
    Membership,
    PanelUser,
    Person,
    RegistrationRequest,
)

if TYPE_CHECKING:
    from cassbot.registration.feature import RegistrationFeature

OPEN = ("pending", "info_requested")


def _field(form: Any, name: str, limit: int = 2000) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _done(path: str, key: str) -> web.HTTPSeeOther:
    separator = "&" if "?" in path else "?"
    return web.HTTPSeeOther(f"{path}{separator}hecho={quote(key)}")


# The panel's two lists of items with a 24-hour clock.
TrackedItem = TypeVar("TrackedItem", RegistrationRequest, FeedbackItem)


class PanelPages:
    def __init__(self, feature: RegistrationFeature) -> None:
        self.f = feature
        self.app = feature.app
        self.site = feature.panel

    def register(self) -> None:
        add = self.site.add
        add("GET", "/panel", self.home, "inicio")
        add("GET", "/panel/cuenta", self.account, "inicio")
        add("POST", "/panel/cuenta/contrasena", self.change_password, "inicio")
        add("GET", "/panel/registros", self.requests, "registros")
        add("GET", "/panel/registros/{folio}", self.request_detail, "registros")
        add("POST", "/panel/registros/{folio}/aprobar", self.request_approve, "registros")
        add("POST", "/panel/registros/{folio}/rechazar", self.request_reject, "registros")
        add("POST", "/panel/registros/{folio}/preguntar", self.request_ask, "registros")
        add("GET", "/panel/quejas", self.feedback_list, "quejas")
        add("GET", "/panel/quejas/{folio}", self.feedback_detail, "quejas")
        add("POST", "/panel/quejas/{folio}/responder", self.feedback_answer, "quejas")
        add("GET", "/panel/apelaciones", self.appeals, "apelaciones")
        add("GET", "/panel/apelaciones/{folio}", self.appeal_detail, "apelaciones")
        add("POST", "/panel/apelaciones/{folio}/resolver", self.appeal_decide, "apelaciones")
        add("GET", "/panel/vetos", self.bans, "vetos")
        add("POST", "/panel/vetos/{ban_id}/levantar", self.ban_lift, "vetos")
        add("GET", "/panel/padron", self.roster_page, "padron")
        add("GET", "/panel/padron.csv", self.roster_download, "padron")
        add("POST", "/panel/padron/{membership_id}/rol", self.roster_role, "padron_roles")
        add("POST", "/panel/padron/{membership_id}/aceptar", self.roster_accept, "padron_roles")
        add("GET", "/panel/cuentas", self.accounts, "cuentas")

    def page(
        self,
        request: web.Request,
        user: PanelUserView,
        template: str,
        *,
        status: int = 200,
        **context: Any,
    ) -> web.Response:
        return self.site.page(request, user, template, status=status, **context)

    def community_name(self, community_id: str | None) -> str:
        community = self.app.directory.community(community_id) if community_id else None
        return community.name if community else (community_id or "—")

    # Home and own account ----------------------------------------------------------------------

    async def home(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        now = self.app.clock.now()
        counts: dict[str, int] = {}
        async with self.app.db.read() as session:
            if user.can("registros"):
                rows = (
                    (
                        await session.execute(
                            select(RegistrationRequest).where(RegistrationRequest.status.in_(OPEN))
                        )
                    )
                    .scalars()
                    .all()
                )
                counts["registros"] = len(rows)
                counts["registros_vencidas"] = sum(
                    is_overdue("registration", r, now) for r in rows
                )
            if user.can("quejas"):
                items = (
                    (
                        await session.execute(
                            select(FeedbackItem).where(FeedbackItem.status == "open")
                        )
                    )
                    .scalars()
                    .all()
                )
                counts["quejas"] = len(items)
                counts["quejas_vencidas"] = sum(is_overdue("feedback", i, now) for i in items)
            if user.can("apelaciones"):
                counts["apelaciones"] = int(
                    (
                        await session.execute(
                            select(func.count())
                            .select_from(Appeal)
                            .where(Appeal.status == "pending")
                        )
                    ).scalar_one()
                )
            if user.can("moderacion"):
                scope = covered_communities(user, self.f.community_names())
                counts["moderacion"] = await pending_reviews(session, scope)
        return self.page(
            request, user, "panel_inicio.html", counts=counts, communities=self._communities(user)
        )

    async def account(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return self.page(request, user, "panel_cuenta.html", errors={})

    async def change_password(
        self, request: web.Request, user: PanelUserView
    ) -> web.StreamResponse:
        form = await request.post()
        current, new, again = (_field(form, k, 1000) for k in ("actual", "nueva", "repetida"))
        errors: dict[str, str] = {}
        minimum = self.app.settings.panel.min_password_length
        passwords = self.site.passwords
        async with self.app.db.read() as session:
            row = await session.get(PanelUser, user.id)
            assert row is not None
            checked_hash = row.password_hash
        # Argon2 runs in worker threads, outside any transaction (no lock held meanwhile).
        if not await passwords.verify(checked_hash, current):
            errors["actual"] = texts.PANEL_PASSWORD_WRONG
        if len(new) < minimum:
            errors["nueva"] = texts.PANEL_PASSWORD_SHORT.format(length=minimum)
        elif new != again:
            errors["repetida"] = texts.PANEL_PASSWORD_MISMATCH
        if not errors:
            new_hash = await passwords.hash(new)
            async with self.app.db.transaction() as session:
                row = await session.get(PanelUser, user.id)
                assert row is not None
                if row.password_hash != checked_hash:  # changed meanwhile (CLI, another tab)
                    errors["actual"] = texts.PANEL_PASSWORD_WRONG
                else:
                    row.password_hash = new_hash
                    row.password_changed_at = self.app.clock.now()
        if errors:
            return self.page(request, user, "panel_cuenta.html", status=400, errors=errors)
        # Every session of the account ends (this one too): log in again with the new password.
        await self.site.sessions.destroy_all(user.id)
        raise web.HTTPSeeOther("/panel/entrar?hecho=password_changed")

    # Registrations ---------------------------------------------------------------------------

    async def requests(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._tracked_list(
            request,
            user,
            model=RegistrationRequest,
            open_only=RegistrationRequest.status.in_(OPEN),
            kind="registration",
            template="panel_registros.html",
        )

    async def _tracked_list(
        self,
        request: web.Request,
        user: PanelUserView,
        *,
        model: type[TrackedItem],
        open_only: ColumnElement[bool],
        kind: str,
        template: str,
    ) -> web.StreamResponse:
        """Open items by deadline (overdue flagged), or with ?ver=todas the latest 500."""
        show_all = request.query.get("ver") == "todas"
        statement = (
            select(model).order_by(model.id.desc()).limit(500)
            if show_all
            else select(model).where(open_only).order_by(model.due_at)
        )
        async with self.app.db.read() as session:
            rows = (await session.execute(statement)).scalars().all()
        now = self.app.clock.now()
        return self.page(
            request,
            user,
            template,
            rows=rows,
            show_all=show_all,
            overdue={r.id for r in rows if is_overdue(kind, r, now)},
            community_name=self.community_name,
        )

    async def _request_page(
        self,
        request: web.Request,
        user: PanelUserView,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> web.StreamResponse:
        folio = request.match_info["folio"]
        async with self.app.db.read() as session:
            row = await by_folio(session, folio)
            if row is None:
                raise web.HTTPNotFound(text="No existe esa solicitud.")
            ban = await current_ban(session, row) if row.status in OPEN else None
            admissions = await admissions_for_request(session, row.id)
            groups = {g.id: g for g in (await session.execute(select(Group))).scalars()}
        return self.page(
            request,
            user,
            "panel_registro.html",
            status=status,
            item=row,
            ban=ban,
            admissions=admissions,
            groups=groups,
            error=error,
            community=self.community_name(row.community_id),
            overdue=is_overdue("registration", row, self.app.clock.now()),
        )

    async def request_detail(
        self, request: web.Request, user: PanelUserView
    ) -> web.StreamResponse:
        return await self._request_page(request, user)

    async def _decide(
        self, request: web.Request, user: PanelUserView, action: str
    ) -> web.StreamResponse:
        folio = request.match_info["folio"]
        form = await request.post()
        now = self.app.clock.now()
        try:
            async with self.app.db.transaction() as session:
                row = await by_folio(session, folio)
                if row is None:
                    raise web.HTTPNotFound(text="No existe esa solicitud.")
                if action == "approved":
                    await approve(
                        self.app,
                        session,
                        row,
                        user.actor,
                        now,
                        lift_ban_confirmed=_field(form, "levantar_veto") == "si",
                    )
                elif action == "rejected":
                    await reject(self.app, session, row, user.actor, _field(form, "motivo"), now)
                else:
                    await ask_info(
                        self.app, session, row, user.actor, _field(form, "pregunta"), now
                    )
        except DecisionError as refused:
            return await self._request_page(request, user, status=409, error=str(refused))
        self.app.outbox.wake()
        raise _done(f"/panel/registros/{folio}", action)

    async def request_approve(
        self, request: web.Request, user: PanelUserView
    ) -> web.StreamResponse:
        return await self._decide(request, user, "approved")

    async def request_reject(
        self, request: web.Request, user: PanelUserView
    ) -> web.StreamResponse:
        return await self._decide(request, user, "rejected")

    async def request_ask(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._decide(request, user, "info_requested")

    # Complaints and suggestions ------------------------------------------------------------------

    async def feedback_list(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._tracked_list(
            request,
            user,
            model=FeedbackItem,
            open_only=FeedbackItem.status == "open",
            kind="feedback",
            template="panel_quejas.html",
        )

    async def _feedback_page(
        self,
        request: web.Request,
        user: PanelUserView,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> web.StreamResponse:
        async with self.app.db.read() as session:
            item = await feedback_by_folio(session, request.match_info["folio"])
        if item is None:
            raise web.HTTPNotFound(text="No existe ese folio.")
        return self.page(
            request,
            user,
            "panel_queja.html",
            status=status,
            item=item,
            error=error,
            community=self.community_name(item.community_id),
            overdue=is_overdue("feedback", item, self.app.clock.now()),
        )

    async def feedback_detail(
        self, request: web.Request, user: PanelUserView
    ) -> web.StreamResponse:
        return await self._feedback_page(request, user)

    async def feedback_answer(
        self, request: web.Request, user: PanelUserView
    ) -> web.StreamResponse:
        folio = request.match_info["folio"]
        form = await request.post()
        try:
            async with self.app.db.transaction() as session:
                item = await feedback_by_folio(session, folio)
                if item is None:
                    raise web.HTTPNotFound(text="No existe ese folio.")
                await answer_feedback(
                    self.app,
                    session,
                    item,
                    user.actor,
                    _field(form, "respuesta"),
                    self.app.clock.now(),
                )
        except DecisionError as refused:
            return await self._feedback_page(request, user, status=409, error=str(refused))
        self.app.outbox.wake()
        raise _done(f"/panel/quejas/{folio}", "answered")

    # Appeals -----------------------------------------------------------------------------------

    async def appeals(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        async with self.app.db.read() as session:
            rows = (
                await session.execute(
                    select(Appeal, CommunityBan)
                    .join(CommunityBan, CommunityBan.id == Appeal.ban_id)
                    .order_by(Appeal.status != "pending", Appeal.due_at)
                    .limit(500)
                )
            ).all()
        now = self.app.clock.now()
        return self.page(
            request,
            user,
            "panel_apelaciones.html",
            rows=rows,
            overdue={a.id for a, _ in rows if is_overdue("appeal", a, now)},
            community_name=self.community_name,
        )

    async def _appeal_page(
        self,
        request: web.Request,
        user: PanelUserView,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> web.StreamResponse:
        async with self.app.db.read() as session:
            appeal = await appeal_by_folio(session, request.match_info["folio"])
            if appeal is None:
                raise web.HTTPNotFound(text="No existe esa apelación.")
            ban = await session.get(CommunityBan, appeal.ban_id)
            person = await session.get(Person, appeal.person_id)
        assert ban is not None
        return self.page(
            request,
            user,
            "panel_apelacion.html",
            status=status,
            item=appeal,
            ban=ban,
            person=person,
            error=error,
            community=self.community_name(appeal.community_id),
            own_ban=user.actor.same_person_as(ban.banned_by),
            overdue=is_overdue("appeal", appeal, self.app.clock.now()),
        )

    async def appeal_detail(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        return await self._appeal_page(request, user)

    async def appeal_decide(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        folio = request.match_info["folio"]
        form = await request.post()
        decision = _field(form, "decision")
        if decision not in ("procede", "no_procede"):
            return await self._appeal_page(
                request, user, status=400, error="Elige si la apelación procede o no."
            )
        try:
            async with self.app.db.transaction() as session:
                appeal = await appeal_by_folio(session, folio)
                if appeal is None:
                    raise web.HTTPNotFound(text="No existe esa apelación.")
                await decide_appeal(
                    self.app,
                    session,
                    appeal,
                    user.actor,
                    uphold=decision == "procede",
                    reason=_field(form, "motivo"),
                    now=self.app.clock.now(),
                )
        except DecisionError as refused:
            return await self._appeal_page(request, user, status=409, error=str(refused))
        self.app.outbox.wake()
        key = "appeal_upheld" if decision == "procede" else "appeal_rejected"
        raise _done(f"/panel/apelaciones/{folio}", key)

    # Bans ----------------------------------------------------------------------------------------

    async def bans(
        self,
        request: web.Request,
        user: PanelUserView,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> web.StreamResponse:
        async with self.app.db.read() as session:
            rows = (
                await session.execute(
                    select(CommunityBan, Person)
                    .join(Person, Person.id == CommunityBan.person_id)
                    .where(CommunityBan.lifted_at.is_(None))
                    .order_by(CommunityBan.created_at.desc())
                )
            ).all()
        return self.page(
            request,
            user,
            "panel_vetos.html",
            status=status,
            rows=rows,
            error=error,
            community_name=self.community_name,
        )

    async def ban_lift(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        form = await request.post()
        try:
            ban_id = int(request.match_info["ban_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        try:
            async with self.app.db.transaction() as session:
                ban = await session.get(CommunityBan, ban_id)
                if ban is None:
                    raise web.HTTPNotFound(text="No existe esa expulsión.")
                await lift_ban(
                    self.app,
                    session,
                    ban,
                    user.actor,
                    _field(form, "motivo"),
                    self.app.clock.now(),
                )
        except DecisionError as refused:
            return await self.bans(request, user, status=409, error=str(refused))
        self.app.outbox.wake()
        raise _done("/panel/vetos", "ban_lifted")

    # Rosters -----------------------------------------------------------------------------------

    def _communities(self, user: PanelUserView) -> list[tuple[str, str]]:
        return [(i, n) for i, n in self.f.community_names() if user.covers(i)]

    def _chosen(self, request: web.Request, user: PanelUserView) -> str:
        allowed = self._communities(user)
        chosen = request.query.get("comunidad", "")
        if chosen and chosen not in {i for i, _ in allowed}:
            raise web.HTTPForbidden(text=texts.PANEL_FORBIDDEN)
        return chosen or (allowed[0][0] if allowed else "")

    async def roster_page(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        chosen = self._chosen(request, user)
        with_phones = user.can("datos_personales")
        rows = []
        if chosen:
            async with self.app.db.read() as session:
                rows = await roster(self.app, session, chosen, with_phones=with_phones)
        return self.page(
            request,
            user,
            "panel_padron.html",
            rows=rows,
            chosen=chosen,
            communities=self._communities(user),
            with_phones=with_phones,
            roles=SETTABLE_ROLES,
            community=self.community_name(chosen),
        )

    async def roster_download(
        self, request: web.Request, user: PanelUserView
    ) -> web.StreamResponse:
        chosen = self._chosen(request, user)
        if not chosen:
            raise web.HTTPNotFound(text="No hay comunidades para exportar.")
        with_phones = user.can("datos_personales")
        async with self.app.db.read() as session:
            rows = await roster(self.app, session, chosen, with_phones=with_phones)
        stamp = self.app.clock.now().strftime("%Y%m%d")
        return web.Response(
            text=roster_csv(rows, with_phones=with_phones),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="padron-{chosen}-{stamp}.csv"'},
        )

    async def _membership_in_scope(
        self, session: Any, request: web.Request, user: PanelUserView
    ) -> tuple[Membership, Group]:
        try:
            membership_id = int(request.match_info["membership_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        membership = await session.get(Membership, membership_id)
        group = await session.get(Group, membership.group_id) if membership else None
        if membership is None or group is None:
            raise web.HTTPNotFound(text="Ese miembro no existe.")
        if not user.covers(group.community_id):
            raise web.HTTPForbidden(text=texts.PANEL_FORBIDDEN)
        return membership, group

    async def roster_role(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        form = await request.post()
        async with self.app.db.transaction() as session:
            membership, group = await self._membership_in_scope(session, request, user)
            try:
                await set_role(
                    self.app,
                    session,
                    membership.id,
                    _field(form, "rol"),
                    user.actor,
                    self.app.clock.now(),
                )
            except DecisionError as refused:
                raise web.HTTPBadRequest(text=str(refused)) from None
        self.app.outbox.wake()
        raise _done(f"/panel/padron?comunidad={group.community_id}", "role_set")

    async def roster_accept(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        async with self.app.db.transaction() as session:
            membership, group = await self._membership_in_scope(session, request, user)
            try:
                await accept_member(session, membership.id, user.actor, self.app.clock.now())
            except DecisionError as refused:
                raise web.HTTPBadRequest(text=str(refused)) from None
        raise _done(f"/panel/padron?comunidad={group.community_id}", "review_accepted")

    # Accounts ----------------------------------------------------------------------------------

    async def accounts(self, request: web.Request, user: PanelUserView) -> web.StreamResponse:
        async with self.app.db.read() as session:
            rows = (
                (await session.execute(select(PanelUser).order_by(PanelUser.username)))
                .scalars()
                .all()
            )
        return self.page(request, user, "panel_cuentas.html", rows=rows, role_labels=ROLE_LABELS)


def register_panel_pages(feature: RegistrationFeature) -> None:
    PanelPages(feature).register()

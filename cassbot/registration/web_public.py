"""The public pages: /registro, /registro/estado, /contacto, /apelacion, /terminos, /privacidad.

Every POST goes through the same gate: a per-address limit (counted in the database), the
form token, the honeypot, then validation. A refused submission stores nothing and shows the
form again with what was typed and a clear Spanish message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.people import person_by_phone
from cassbot.registration import forms
from cassbot.registration.access import shown
from cassbot.registration.admission import admissions_for_request
from cassbot.registration.appeals import DuplicateAppeal, active_bans_of, file_appeal, find_appeal
from cassbot.registration.common import DecisionError
from cassbot.registration.csrf import FIELD
from cassbot.registration.feedback import file_feedback, find_feedback
from cassbot.registration.ratelimit import Limit
from cassbot.registration.requests import (
    DuplicateRequest,
    NewRequest,
    answer_info,
    find_request,
    resend_access,
    submit_request,
)
from cassbot.storage.models import Group, Person, RegistrationRequest

if TYPE_CHECKING:
    from cassbot.registration.feature import RegistrationFeature

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Refused(Exception):
    """A submission refused before validation (limit, token, honeypot): nothing is stored."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class PublicPages:
    def __init__(self, feature: RegistrationFeature) -> None:
        self.f = feature
        self.app = feature.app
        s = feature.settings
        self.ip_limit = Limit(
            "form_ip", s.submissions_per_ip, timedelta(minutes=s.submissions_ip_window_minutes)
        )
        self.phone_limit = Limit(
            "form_phone",
            s.submissions_per_phone,
            timedelta(hours=s.submissions_phone_window_hours),
        )
        self.lookup_limit = Limit("status_ip", s.status_lookups_per_ip, timedelta(hours=1))

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/registro", self.registration_form),
            web.post("/registro", self.registration_submit),
            web.get("/registro/estado", self.status_form),
            web.post("/registro/estado", self.status_lookup),
            web.post("/registro/estado/responder", self.status_answer),
            web.get("/contacto", self.contact_form),
            web.post("/contacto", self.contact_submit),
            web.get("/apelacion", self.appeal_form),
            web.post("/apelacion", self.appeal_submit),
            web.get("/terminos", self.terms),
            web.get("/privacidad", self.privacy),
        ]

    # Rendering -------------------------------------------------------------------------------

    async def page(
        self, request: web.Request, template: str, *, status: int = 200, **context: Any
    ) -> web.Response:
        token = await self.f.tokens.issue(request)
        context.setdefault("values", {})
        context.setdefault("errors", {})
        response = self.f.render(
            template,
            status=status,
            csrf=token,
            csrf_field=FIELD,
            communities=self.f.community_names(),
            honeypot=forms.HONEYPOT,
            hours=f"{self.f.settings.review_hours:g}",
            max_chars=self.f.settings.max_message_chars,
            **context,
        )
        self.f.tokens.attach(response, token)
        response.headers["Cache-Control"] = "no-store"  # pages may show what people typed
        return response

    async def gate(self, request: web.Request, data: Any, limit: Limit) -> None:
        now = self.app.clock.now()
        ip = await self.f.keeper.hashed("ip", self.f.client_ip(request))
        decision = await self.f.limiter.hit(limit, ip, now)
        if not decision.allowed:
            minutes = max(1, int(decision.retry_after.total_seconds() // 60) + 1)
            logger.warning(
                "form submissions throttled",
                extra={"bucket": limit.bucket, "count": decision.count},
            )
            message = (
                texts.STATUS_RATE_LIMITED
                if limit is self.lookup_limit
                else texts.RATE_LIMITED_IP.format(minutes=minutes)
            )
            raise Refused(message, 429)
        if not await self.f.tokens.check(request, str(data.get(FIELD, ""))):
            logger.info("form refused: missing or invalid token", extra={"path": request.path})
            raise Refused(texts.FORM_EXPIRED, 403)
        if forms.honeypot_filled(data):
            logger.info("form refused: honeypot filled", extra={"path": request.path})
            raise Refused(texts.FORM_REJECTED, 400)

    async def phone_allowed(self, phone: str) -> bool:
        key = await self.f.keeper.hashed("phone", phone)
        decision = await self.f.limiter.hit(self.phone_limit, key, self.app.clock.now())
        return decision.allowed

    async def checked(
        self,
        request: web.Request,
        template: str,
        data: Any,
        result: Any,
        *,
        per_phone: bool = True,
    ) -> web.StreamResponse | None:
        """Every public form's checks, in order: address rate limit and form token, the fields,
        then the per-number limit. Returns the page to answer with when something fails."""
        try:
            await self.gate(request, data, self.ip_limit)
        except Refused as refused:
            return await self.page(
                request, template, status=refused.status, values=result.values,
                problem=str(refused),
            )  # fmt: skip
        if not result.ok:
            return await self.page(
                request, template, status=400, values=result.values, errors=result.errors
            )
        if per_phone and not await self.phone_allowed(result.clean["telefono"]):
            return await self.page(
                request,
                template,
                status=429,
                values=result.values,
                problem=texts.RATE_LIMITED_PHONE.format(
                    hours=self.f.settings.submissions_phone_window_hours
                ),
            )
        return None

    # /registro ---------------------------------------------------------------------------------

    async def registration_form(self, request: web.Request) -> web.StreamResponse:
        return await self.page(request, "registro.html")

    async def registration_submit(self, request: web.Request) -> web.StreamResponse:
        data = await request.post()
        result = forms.registration_form(
            data,
            [c.id for c in self.app.directory.communities],
            self.f.settings.max_message_chars,
        )
        refused = await self.checked(request, "registro.html", data, result)
        if refused is not None:
            return refused
        clean = result.clean
        new = NewRequest(
            full_name=clean["nombre"],
            phone=clean["telefono"],
            community_id=clean["comunidad"],
            message=clean["mensaje"],
        )
        try:
            async with self.app.db.transaction() as session:
                row = await submit_request(self.app, session, new, self.app.clock.now())
                folio, code, due = row.folio, row.access_code, row.due_at
        except DuplicateRequest as duplicate:
            # Whoever typed the number may not own it: the folio goes to the number's owner,
            # privately, never onto this page.
            async with self.app.db.transaction() as session:
                existing = await session.get(RegistrationRequest, duplicate.request_id)
                if existing is not None:
                    await resend_access(self.app, session, existing, self.app.clock.now())
            self.app.outbox.wake()
            return await self.page(
                request,
                "registro.html",
                status=409,
                values=result.values,
                problem=texts.REG_DUPLICATE,
            )
        self.app.outbox.wake()
        community = self.app.directory.community(new.community_id)
        return await self.page(
            request,
            "registro_enviado.html",
            folio=folio,
            code=shown(code),
            due=due,
            community=community.name if community else "",
        )

    # /registro/estado ----------------------------------------------------------------------------

    async def status_form(self, request: web.Request) -> web.StreamResponse:
        return await self.page(
            request, "estado.html", values={"folio": request.query.get("folio", "")[:30]}
        )

    async def status_lookup(self, request: web.Request) -> web.StreamResponse:
        data = await request.post()
        result = forms.status_form(data)
        try:
            await self.gate(request, data, self.lookup_limit)
        except Refused as refused:
            return await self.page(
                request,
                "estado.html",
                status=refused.status,
                values=result.values,
                problem=str(refused),
            )
        if not result.ok:
            return await self.page(
                request, "estado.html", status=400, values=result.values, errors=result.errors
            )
        return await self.show_status(
            request, result.clean["folio"], result.clean["clave"], values=result.values
        )

    async def show_status(
        self,
        request: web.Request,
        folio: str,
        code: str,
        *,
        values: dict[str, str],
        status: int = 200,
        **extra: Any,
    ) -> web.StreamResponse:
        async with self.app.db.read() as session:
            if folio.startswith("REG"):
                item: Any = await find_request(session, folio, code)
                kind = "registration"
            elif folio.startswith("APE"):
                item = await find_appeal(session, folio, code)
                kind = "appeal"
            else:
                item = await find_feedback(session, folio, code)
                kind = "feedback"
            if item is None:
                logger.info("status lookup refused: unknown folio or wrong code")
                return await self.page(
                    request,
                    "estado.html",
                    status=404,
                    values={**values, "clave": ""},
                    problem=texts.STATUS_NOT_FOUND,
                )
            links = []
            if kind == "registration" and item.status == "approved":
                for admission in await admissions_for_request(session, item.id):
                    group = await session.get(Group, admission.group_id)
                    links.append((group.name if group else "", admission))
        community = self.app.directory.community(item.community_id) if item.community_id else None
        return await self.page(
            request,
            "estado_resultado.html",
            status=status,
            kind=kind,
            item=item,
            admissions=links,
            community=community.name if community else "",
            code_typed=shown(code),
            **extra,
        )

    async def status_answer(self, request: web.Request) -> web.StreamResponse:
        data = await request.post()
        result = forms.answer_form(data, self.f.settings.max_message_chars)
        try:
            await self.gate(request, data, self.lookup_limit)
        except Refused as refused:
            return await self.page(
                request,
                "estado.html",
                status=refused.status,
                values=result.values,
                problem=str(refused),
            )
        if "folio" in result.errors or "clave" in result.errors:
            return await self.page(
                request, "estado.html", status=400, values=result.values, errors=result.errors
            )
        folio, code = result.clean["folio"], result.clean["clave"]
        if not result.ok:
            return await self.show_status(
                request, folio, code, values=result.values, status=400, errors=result.errors
            )
        try:
            async with self.app.db.transaction() as session:
                item = await find_request(session, folio, code)
                if item is None:
                    return await self.page(
                        request,
                        "estado.html",
                        status=404,
                        values={**result.values, "clave": ""},
                        problem=texts.STATUS_NOT_FOUND,
                    )
                await answer_info(
                    self.app, session, item, result.clean["respuesta"], self.app.clock.now()
                )
        except DecisionError as refused:
            return await self.show_status(
                request, folio, code, values=result.values, status=409, problem=str(refused)
            )
        self.app.outbox.wake()
        return await self.show_status(
            request,
            folio,
            code,
            values=result.values,
            done=texts.REG_ANSWER_SAVED.format(hours=f"{self.f.settings.review_hours:g}"),
        )

    # /contacto -------------------------------------------------------------------------------

    async def contact_form(self, request: web.Request) -> web.StreamResponse:
        kind = request.query.get("tipo", "")
        return await self.page(
            request,
            "contacto.html",
            values={"tipo": kind if kind in ("queja", "sugerencia") else ""},
        )

    async def contact_submit(self, request: web.Request) -> web.StreamResponse:
        data = await request.post()
        result = forms.contact_form(
            data,
            [c.id for c in self.app.directory.communities],
            self.f.settings.max_message_chars,
        )
        refused = await self.checked(request, "contacto.html", data, result)
        if refused is not None:
            return refused
        clean = result.clean
        async with self.app.db.transaction() as session:
            person = await person_by_phone(session, clean["telefono"])
            item = await file_feedback(
                self.app,
                session,
                kind=clean["tipo"],
                text=clean["mensaje"],
                source="web",
                now=self.app.clock.now(),
                name=clean["nombre"],
                phone=clean["telefono"],
                community_id=clean["comunidad"],
                person_id=person.id if person else None,
            )
            receipt, kind = (item.folio, shown(item.access_code)), item.kind
        self.app.outbox.wake()
        return await self.page(
            request,
            "enviado.html",
            receipts=[receipt],
            title=texts.FEEDBACK_KIND_NAMES[kind] + " recibida",
            message=texts.FEEDBACK_RECEIVED_WEB.format(
                kind=texts.FEEDBACK_KIND_NAMES[kind].lower(),
                hours=f"{self.f.settings.review_hours:g}",
            ),
        )

    # /apelacion ------------------------------------------------------------------------------

    async def appeal_form(self, request: web.Request) -> web.StreamResponse:
        return await self.page(request, "apelacion.html")

    async def appeal_submit(self, request: web.Request) -> web.StreamResponse:
        data = await request.post()
        result = forms.appeal_form(data, self.f.settings.max_message_chars)
        refused = await self.checked(request, "apelacion.html", data, result, per_phone=False)
        if refused is not None:
            return refused
        clean = result.clean
        receipts: list[tuple[str, str]] = []
        duplicates: list[str] = []
        async with self.app.db.transaction() as session:
            found = await find_request(session, clean["folio"], clean["clave"])
            person = await _applicant(session, found) if found else None
            bans = await active_bans_of(session, person.id) if person else []
            for ban in bans:
                try:
                    appeal = await file_appeal(
                        self.app,
                        session,
                        ban=ban,
                        text=clean["mensaje"],
                        source="web",
                        now=self.app.clock.now(),
                    )
                    receipts.append((appeal.folio, shown(appeal.access_code)))
                except DuplicateAppeal as duplicate:
                    duplicates.append(duplicate.folio)
        if not receipts and not duplicates:
            return await self.page(
                request,
                "apelacion.html",
                status=404,
                values={**result.values, "clave": ""},
                problem=texts.APPEAL_NO_BAN_WEB,
            )
        if not receipts:
            return await self.page(
                request,
                "apelacion.html",
                status=409,
                values=result.values,
                problem=texts.APPEAL_DUPLICATE.format(folio=", ".join(duplicates)),
            )
        self.app.outbox.wake()
        return await self.page(
            request,
            "enviado.html",
            receipts=receipts,
            title="Apelación recibida",
            message=texts.APPEAL_RECEIVED_WEB.format(hours=f"{self.f.settings.review_hours:g}"),
        )

    # Static pages ------------------------------------------------------------------------------

    async def terms(self, request: web.Request) -> web.StreamResponse:
        return self.f.render("terminos.html")

    async def privacy(self, request: web.Request) -> web.StreamResponse:
        return self.f.render("privacidad.html", privacy=self.app.settings.privacy)


async def _applicant(session: AsyncSession, request: RegistrationRequest) -> Person | None:
    """The person a registration request belongs to (by the link, else by its number)."""
    if request.person_id is not None:
        return await session.get(Person, request.person_id)
    return await person_by_phone(session, request.phone) if request.phone else None


def public_routes(feature: RegistrationFeature) -> list[web.RouteDef]:
    return PublicPages(feature).routes()

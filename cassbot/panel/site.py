"""The panel's plumbing: login, logout, and pages wrapped with session, role and CSRF checks.

Every page is declared with the permission it needs (`PanelSite.add`); nothing under /panel is
served without a live session, and a POST without the session's CSRF token changes nothing.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select

from cassbot import texts
from cassbot.panel.passwords import Passwords
from cassbot.panel.roles import ROLE_LABELS, SCOPED_ROLES, allowed
from cassbot.panel.sessions import SessionStore
from cassbot.registration.common import Actor
from cassbot.registration.csrf import FormTokens
from cassbot.registration.keys import SecretKeeper
from cassbot.registration.ratelimit import Limit, RateLimiter
from cassbot.settings import OfficialSettings
from cassbot.storage.models import PanelUser

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

COOKIE = "cass_panel"
LOGIN_PATH = "/panel/entrar"
LOGOUT_PATH = "/panel/salir"


class Render(Protocol):
    def __call__(self, template: str, *, status: int = 200, **context: Any) -> web.Response: ...


@dataclass(frozen=True, slots=True)
class PanelUserView:
    id: int
    username: str
    display_name: str
    role: str
    official: OfficialSettings | None
    csrf: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)

    def covers(self, community_id: str) -> bool:
        if self.role not in SCOPED_ROLES:
            return True
        return self.official is not None and self.official.covers(community_id)

    @property
    def actor(self) -> Actor:
        name = self.official.name if self.official else self.display_name
        return Actor(name=name, username=self.username, via="panel")


PageHandler = Callable[[web.Request, PanelUserView], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class PanelPage:
    method: str
    path: str
    handler: PageHandler
    permission: str


def no_store(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class PanelSite:
    def __init__(
        self,
        app: CassBot,
        keeper: SecretKeeper,
        limiter: RateLimiter,
        tokens: FormTokens,
        render: Render,
        client_ip: Callable[[web.Request], str],
    ) -> None:
        self._app = app
        self._settings = app.settings.panel
        self._keeper = keeper
        self._limiter = limiter
        self._tokens = tokens
        self._render = render
        self._client_ip = client_ip
        self.sessions = SessionStore(app.db, self._settings)
        self.passwords = Passwords()
        self.pages: list[PanelPage] = []
        public = app.settings.server.public_url or ""
        self._secure = public.startswith("https://")
        window = timedelta(minutes=self._settings.login_window_minutes)
        self._ip_limit = Limit("panel_login_ip", self._settings.login_attempts * 4, window)
        self._user_limit = Limit("panel_login_user", self._settings.login_attempts, window)

    def add(self, method: str, path: str, handler: PageHandler, permission: str) -> None:
        self.pages.append(PanelPage(method, path, handler, permission))

    def routes(self) -> list[web.RouteDef]:
        routes = [
            web.get(LOGIN_PATH, self.login_form),
            web.post(LOGIN_PATH, self.login),
            web.post(LOGOUT_PATH, self.logout),
        ]
        for page in self.pages:
            routes.append(web.route(page.method, page.path, self._guard(page)))
        return routes

    # Pages ------------------------------------------------------------------------------------

    def _guard(self, page: PanelPage) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            user = await self.current_user(request)
            if user is None:
                target = request.path_qs if request.method == "GET" else "/panel"
                expired = "&caducada=1" if request.cookies.get(COOKIE) else ""
                raise web.HTTPSeeOther(f"{LOGIN_PATH}?siguiente={quote(target)}{expired}")
            if not user.can(page.permission):
                logger.warning(
                    "panel access refused",
                    extra={"user": user.username, "role": user.role, "path": request.path},
                )
                return no_store(
                    self.page(
                        request,
                        user,
                        "panel_mensaje.html",
                        status=403,
                        title="Sin permiso",
                        message=texts.PANEL_FORBIDDEN,
                    )
                )
            if request.method == "POST":
                form = await request.post()
                submitted = form.get("csrf")
                if not isinstance(submitted, str) or not hmac.compare_digest(submitted, user.csrf):
                    return no_store(
                        self.page(
                            request,
                            user,
                            "panel_mensaje.html",
                            status=403,
                            title="Página caducada",
                            message=texts.PANEL_CSRF,
                        )
                    )
            return no_store(await page.handler(request, user))

        handler.panel_page = page  # type: ignore[attr-defined]  # lets tests audit every route
        return handler

    def page(
        self,
        request: web.Request,
        user: PanelUserView,
        template: str,
        *,
        status: int = 200,
        **context: Any,
    ) -> web.Response:
        return self._render(
            template,
            status=status,
            user=user,
            path=request.path,
            notice=request.query.get("hecho"),
            **context,
        )

    async def current_user(self, request: web.Request) -> PanelUserView | None:
        loaded = await self.sessions.load(request.cookies.get(COOKIE, ""), self._app.clock.now())
        if loaded is None:
            return None
        user = loaded.user
        official = next(
            (o for o in self._app.directory.officials if o.name == user.official_name), None
        )
        return PanelUserView(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            official=official,
            csrf=loaded.csrf_token,
        )

    # Login and logout -------------------------------------------------------------------------

    async def login_form(self, request: web.Request) -> web.StreamResponse:
        if await self.current_user(request) is not None:
            raise web.HTTPSeeOther("/panel")
        return await self._login_page(request, error=None, username="")

    async def _login_page(
        self, request: web.Request, *, error: str | None, username: str, status: int = 200
    ) -> web.StreamResponse:
        token = await self._tokens.issue(request)
        response = self._render(
            "panel_entrar.html",
            status=status,
            error=error,
            username=username,
            csrf=token,
            siguiente=_safe_next(request.query.get("siguiente", "")),
            expired=request.query.get("caducada") == "1",
            notice=texts.PANEL_DONE.get(request.query.get("hecho", ""), "").format(folio=""),
        )
        self._tokens.attach(response, token)
        return no_store(response)

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        username = str(form.get("usuario", "")).strip().lower()[:60]
        password = str(form.get("contrasena", ""))[:1000]
        if not await self._tokens.check(request, str(form.get("csrf", ""))):
            return await self._login_page(
                request, error=texts.PANEL_CSRF, username=username, status=403
            )
        now = self._app.clock.now()
        ip_key = await self._keeper.hashed("ip", self._client_ip(request))
        user_key = await self._keeper.hashed("user", username)
        # Every attempt is counted before the password is checked, so parallel guesses cannot
        # all slip through before the first failure is recorded; a success is uncounted.
        for limit, key in ((self._ip_limit, ip_key), (self._user_limit, user_key)):
            decision = await self._limiter.hit(limit, key, now)
            if not decision.allowed:
                minutes = max(1, int(decision.retry_after.total_seconds() // 60) + 1)
                logger.warning("panel login throttled", extra={"bucket": limit.bucket})
                return await self._login_page(
                    request,
                    error=texts.PANEL_LOGIN_LOCKED.format(minutes=minutes),
                    username=username,
                    status=429,
                )
        async with self._app.db.read() as session:
            user = (
                await session.execute(select(PanelUser).where(PanelUser.username == username))
            ).scalar_one_or_none()
        stored = user.password_hash if user is not None and user.active else None
        if not await self.passwords.verify(stored, password) or user is None:
            logger.warning("panel login failed", extra={"username": username})
            return await self._login_page(
                request, error=texts.PANEL_LOGIN_FAILED, username=username, status=401
            )
        await self._limiter.reset(self._user_limit, user_key)
        await self._limiter.give_back(self._ip_limit, ip_key, now)
        rehashed = (
            await self.passwords.hash(password)
            if self.passwords.needs_rehash(user.password_hash)
            else None
        )
        async with self._app.db.transaction() as session:
            row = await session.get(PanelUser, user.id)
            assert row is not None
            row.last_login_at = now
            if rehashed is not None and row.password_hash == user.password_hash:
                row.password_hash = rehashed
        token = await self.sessions.create(user.id, now)
        logger.info("panel login", extra={"username": username, "role": user.role})
        response = web.HTTPSeeOther(_safe_next(str(form.get("siguiente", ""))) or "/panel")
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="Lax", secure=self._secure, path="/panel"
        )
        raise response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        user = await self.current_user(request)
        form = await request.post()
        token = request.cookies.get(COOKIE, "")
        if user is None:
            raise web.HTTPSeeOther(LOGIN_PATH)
        if not hmac.compare_digest(str(form.get("csrf", "")), user.csrf):
            raise web.HTTPSeeOther("/panel")  # a forged logout changes nothing
        await self.sessions.destroy(token)
        logger.info("panel logout", extra={"username": user.username})
        response = web.HTTPSeeOther(LOGIN_PATH)
        response.del_cookie(COOKIE, path="/panel")
        raise response


def _safe_next(target: str) -> str:
    """Only paths inside the panel (no open redirects to other sites)."""
    if target.startswith("/panel") and not target.startswith("//") and "\\" not in target:
        return target
    return ""

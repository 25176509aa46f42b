"""Form tokens for the public pages (signed double submit): the token travels in an HttpOnly
cookie and in a hidden field; a POST is accepted only when both match and the server's
signature checks. The panel uses its session's own token instead."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from cassbot.registration.keys import SecretKeeper

COOKIE = "cass_form"
FIELD = "csrf"


class FormTokens:
    def __init__(self, keeper: SecretKeeper, *, secure: bool) -> None:
        self._keeper = keeper
        self._secure = secure

    async def issue(self, request: web.Request) -> str:
        """The token for this browser: the one it already holds when valid, else a new one."""
        current = request.cookies.get(COOKIE, "")
        if await self._valid(current):
            return current
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{await self._keeper.sign('form:' + nonce)}"

    def attach(self, response: web.StreamResponse, token: str) -> None:
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="Lax",
            secure=self._secure,
            path="/",
            max_age=12 * 3600,
        )

    async def check(self, request: web.Request, submitted: str) -> bool:
        cookie = request.cookies.get(COOKIE, "")
        if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
            return False
        return await self._valid(cookie)

    async def _valid(self, token: str) -> bool:
        nonce, _, signature = token.partition(".")
        if not nonce or not signature:
            return False
        expected = await self._keeper.sign("form:" + nonce)
        return hmac.compare_digest(signature, expected)

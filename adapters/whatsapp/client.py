"""A small typed client for the WAHA REST API (aiohttp, `X-Api-Key`, timeouts, typed errors).

Errors are classified by HTTP status, never by message text (WAHA's engines word them
differently): 401 bad key, 403 refused, 404 unknown, 422 session not WORKING, 429 slow down,
5xx engine failure, and no answer at all (gateway unreachable).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

logger = logging.getLogger(__name__)


class WahaError(Exception):
    """A WAHA call that did not succeed; `status` is None when no answer came."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class WahaUnreachable(WahaError):
    """No answer: connection refused or reset, DNS failure, timeout."""


class WahaUnauthorized(WahaError):
    """401: the API key is missing or wrong."""


class WahaForbidden(WahaError):
    """403: the gateway refuses the operation."""


class WahaNotFound(WahaError):
    """404: unknown session, chat, message or file."""

    @property
    def session_missing(self) -> bool:
        message = self.body.get("message") if isinstance(self.body, Mapping) else None
        return isinstance(message, str) and message.lower().startswith("session not found")


class WahaSessionNotReady(WahaError):
    """422: the session exists but is not WORKING (scan the QR code, starting, failed…)."""

    @property
    def session_status(self) -> str | None:
        status = self.body.get("status") if isinstance(self.body, Mapping) else None
        return status if isinstance(status, str) else None


class WahaRateLimited(WahaError):
    """429: too many requests; `retry_after` in seconds when the gateway says."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class WahaServerError(WahaError):
    """5xx: the engine failed (WhatsApp refused, not an admin, internal error…)."""


class WahaBadRequest(WahaError):
    """Another 4xx: cassbot sent something WAHA does not accept."""


def _segment(value: str) -> str:
    return quote(value, safe="")  # `@` becomes %40, as WAHA's docs ask


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class WahaClient:
    def __init__(
        self, base_url: str, api_key: str, session: str, *, timeout_s: float = 15.0
    ) -> None:
        self.base_url = URL(base_url.rstrip("/"))
        self.session = session
        self._api_key = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._http: aiohttp.ClientSession | None = None
        self._closed = False

    async def open(self) -> None:
        if self._closed:
            raise WahaUnreachable("the WAHA client is closed (cassbot is shutting down)")
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"X-Api-Key": self._api_key, "Accept": "application/json"},
            )

    async def close(self) -> None:
        self._closed = True  # late calls during shutdown must not open a new connection pool
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _url(self, *segments: str) -> URL:
        path = "/".join(_segment(s) for s in segments)
        return URL(f"{self.base_url}/{path}", encoded=True)

    async def request(
        self, method: str, url: URL, *, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Any:
        await self.open()
        assert self._http is not None
        try:
            async with self._http.request(method, url, json=body, params=params) as response:
                text = await response.text()
                status = response.status
                retry_after = _retry_after(response.headers)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise WahaUnreachable(f"{method} {url.path}: {type(exc).__name__}: {exc}") from exc
        try:
            data: Any = json.loads(text) if text else None
        except json.JSONDecodeError:
            data = text
        if status < 300:
            return data
        message = f"{method} {url.path} -> {status}: {text[:300]}"
        if status == 401:
            raise WahaUnauthorized(message, status=status, body=data)
        if status == 403:
            raise WahaForbidden(message, status=status, body=data)
        if status == 404:
            raise WahaNotFound(message, status=status, body=data)
        if status == 422:
            raise WahaSessionNotReady(message, status=status, body=data)
        if status == 429:
            raise WahaRateLimited(message, status=status, body=data, retry_after=retry_after)
        if status >= 500:
            raise WahaServerError(message, status=status, body=data)
        raise WahaBadRequest(message, status=status, body=data)

    # Sessions -----------------------------------------------------------------------------------

    async def get_session(self) -> dict[str, Any]:
        return dict(await self.request("GET", self._url("api", "sessions", self.session)) or {})

    async def get_me(self) -> dict[str, Any]:
        url = self._url("api", "sessions", self.session, "me")
        return dict(await self.request("GET", url) or {})

    # Messages -----------------------------------------------------------------------------------

    async def send_text(
        self,
        chat_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        mentions: Sequence[str] = (),
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "session": self.session,
            "chatId": chat_id,
            "text": text,
            "linkPreview": False,
        }
        if reply_to:
            body["reply_to"] = reply_to
        if mentions:
            body["mentions"] = list(mentions)  # documented, though missing from the spec
        result = await self.request("POST", self._url("api", "sendText"), body=body)
        return dict(result) if isinstance(result, Mapping) else {}

    async def delete_message(self, chat_id: str, message_id: str) -> None:
        url = self._url("api", self.session, "chats", chat_id, "messages", message_id)
        await self.request("DELETE", url)

    # Groups -------------------------------------------------------------------------------------

    async def participants(self, group_id: str) -> list[dict[str, Any]]:
        url = self._url("api", self.session, "groups", group_id, "participants", "v2")
        result = await self.request("GET", url)
        if not isinstance(result, list):
            raise WahaServerError(f"participants of {group_id}: expected a list", body=result)
        return [p for p in result if isinstance(p, dict)]

    async def change_participants(self, group_id: str, operation: str, ids: Sequence[str]) -> Any:
        """operation: participants/add, participants/remove, admin/promote, admin/demote."""
        first, second = operation.split("/")
        url = self._url("api", self.session, "groups", group_id, first, second)
        return await self.request("POST", url, body={"participants": [{"id": i} for i in ids]})

    async def invite_code(self, group_id: str) -> str:
        url = self._url("api", self.session, "groups", group_id, "invite-code")
        result = await self.request("GET", url)
        if not isinstance(result, str) or not result:
            raise WahaServerError(f"invite code of {group_id}: expected a string", body=result)
        return result

    # Contacts -----------------------------------------------------------------------------------

    async def phone_for_lid(self, lid: str) -> str | None:
        """The `@c.us` id behind a `@lid` id, when WAHA knows it."""
        result = await self.request("GET", self._url("api", self.session, "lids", lid))
        pn = result.get("pn") if isinstance(result, Mapping) else None
        return pn if isinstance(pn, str) and pn else None

    # Media --------------------------------------------------------------------------------------

    async def download(self, url: str) -> bytes:
        """A media file; the API key goes only to WAHA itself (S3 URLs are another host)."""
        await self.open()
        assert self._http is not None
        target = URL(url)
        ours = (target.host, target.port) == (self.base_url.host, self.base_url.port)
        try:
            if ours:
                status, data = await self._fetch(self._http, target)
            else:
                async with aiohttp.ClientSession(timeout=self._timeout) as bare:
                    status, data = await self._fetch(bare, target)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise WahaUnreachable(f"GET {target}: {type(exc).__name__}: {exc}") from exc
        if status == 404:
            raise WahaNotFound(
                f"media {target.path} is gone (WAHA keeps files briefly)", status=404
            )
        if status >= 300:
            raise WahaError(f"media {target.path} -> {status}", status=status)
        return data

    @staticmethod
    async def _fetch(http: aiohttp.ClientSession, url: URL) -> tuple[int, bytes]:
        async with http.get(url) as response:
            return response.status, await response.read()

"""`POST /webhooks/telegram`: check Telegram's secret header, read the update, hand it over.

Telegram repeats a delivery until it gets a 2xx answer, so the answer comes only after the
update's events are stored (a failure answers 500 and Telegram tries again; the dedupe key
makes the repeat harmless). What cannot be an update at all is refused with 400; an update
cassbot does not use, or cannot read, is acknowledged and logged, since repeating it would
not help.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.telegram.normalise import Normalised, NotAnUpdate, UnreadableUpdate

logger = logging.getLogger(__name__)

PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Ingest = Callable[[dict[str, Any]], Awaitable[tuple[Normalised, int]]]


class WebhookEndpoint:
    def __init__(self, secret: str | None, ingest: Ingest, *, polling: bool) -> None:
        self._secret = secret.encode() if secret else None
        self._ingest = ingest
        self._polling = polling

    def route(self) -> web.RouteDef:
        return web.post(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if self._polling or self._secret is None:
            return _error(409, "Telegram runs in polling mode here; this webhook is off")
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.warning(
                "Telegram webhook refused: wrong or missing secret token",
                extra={"remote": request.remote},
            )
            return _error(401, f"missing or wrong {SECRET_HEADER} header")
        body = await request.read()
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _error(400, f"the body is not valid JSON: {exc}")
        try:
            normalised, fresh = await self._ingest(payload)
        except NotAnUpdate as exc:
            return _error(400, str(exc))
        except UnreadableUpdate as exc:
            # Never the payload: it carries people's names and messages.
            logger.error(
                "Telegram update could not be read; acknowledged and skipped",
                extra={
                    "error": str(exc),
                    "update_id": exc.update_id,
                    "kind": exc.kind,
                    "fields": ",".join(exc.fields),
                },
            )
            return web.json_response({"ok": True, "ignored": "unreadable update"})
        return web.json_response(
            {
                "ok": True,
                "update_id": normalised.update_id,
                "events": len(normalised.events),
                "new": fresh,
            }
        )


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)

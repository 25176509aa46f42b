"""`POST /webhooks/whatsapp`: verify the signature, normalise, store, answer at once.

Processing happens after the answer (the ingress stores, then the pipeline runs in the
background), so WAHA never waits on moderation and does not retry because of it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.whatsapp.normalise import PayloadError, normalise, parse_envelope
from adapters.whatsapp.signature import verify

if TYPE_CHECKING:
    from adapters.whatsapp.adapter import WhatsAppAdapter

logger = logging.getLogger(__name__)


def _answer(http_status: int, **body: object) -> web.Response:
    return web.json_response(body, status=http_status)


class WebhookHandler:
    def __init__(self, adapter: WhatsAppAdapter, hmac_key: str) -> None:
        self._adapter = adapter
        self._key = hmac_key

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        signature = request.headers.get("X-Webhook-Hmac")
        algorithm = request.headers.get("X-Webhook-Hmac-Algorithm")
        if not verify(raw, self._key, signature, algorithm):
            logger.warning(
                "WhatsApp webhook rejected: %s signature",
                "missing" if not signature else "wrong",
                extra={
                    "remote": request.remote,
                    "request_id": request.headers.get("X-Webhook-Request-Id"),
                },
            )
            return _answer(401, error="missing or invalid X-Webhook-Hmac signature")
        try:
            envelope = parse_envelope(raw)
            if envelope.session != self._adapter.settings.session:
                logger.warning(
                    "WhatsApp webhook for another session ignored",
                    extra={"session": envelope.session, "event": envelope.event},
                )
                return _answer(200, status="ignored", reason="not this session")
            events = normalise(envelope, self._adapter.identities())
        except PayloadError as exc:
            logger.warning("malformed WhatsApp webhook: %s", exc, extra={"bytes": len(raw)})
            return _answer(400, error=f"malformed WAHA webhook: {exc}")
        if events is None:
            logger.info(
                "WhatsApp event not handled; acknowledged", extra={"event": envelope.event}
            )
            return _answer(200, status="ignored", reason=f"event {envelope.event} not handled")
        accepted = await self._adapter.accept(events, envelope.me_ids)
        return _answer(200, status="ok", events=len(events), new=accepted)

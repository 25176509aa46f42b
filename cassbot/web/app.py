"""The aiohttp app: health, readiness, metrics, and the routes adapters and features add."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from cassbot import __version__, texts
from cassbot.web.templating import render

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

APP_KEY: web.AppKey[CassBot] = web.AppKey("cassbot")


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unexpected errors become a short Spanish answer and a logged traceback, never a dump."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("unhandled error", extra={"path": request.path})
        message = "Ocurrió un error interno. Ya quedó registrado; inténtalo de nuevo más tarde."
        if request.path.startswith(("/api/", "/webhooks/", "/playground/api/", "/open311/")):
            return web.json_response({"error": message}, status=500)
        return web.Response(text=message, status=500, content_type="text/plain")


def build_web_app(bot: CassBot) -> web.Application:
    app = web.Application(middlewares=[errors_middleware], client_max_size=2 * 1024 * 1024)
    app[APP_KEY] = bot
    routes: list[web.AbstractRouteDef] = [
        web.get("/", index),
        web.get("/healthz", healthz),
        web.get("/readyz", readyz),
        web.get("/metrics", metrics),
        web.static("/static", STATIC_DIR, append_version=False),
    ]
    for adapter in bot.adapters:
        routes.extend(adapter.routes())
    routes.extend(bot.extra_routes)
    app.add_routes(routes)
    return app


async def index(request: web.Request) -> web.StreamResponse:
    """The public home page: what the CASS groups are, the rules, where to go."""
    bot = request.app[APP_KEY]
    return render(
        "cassbot.web",
        "index.html",
        rules=list(texts.RULES.values()),
        playground="local" in bot.adapters,
        version=__version__,
    )


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    bot = request.app[APP_KEY]
    database = await bot.db.ping()
    adapters = {}
    for adapter in bot.adapters:
        health = adapter.health()
        adapters[adapter.name] = {
            "ready": health.ready,
            "status": health.status,
            "detail": health.detail,
        }
    ready = database and all(a["ready"] for a in adapters.values())
    return web.json_response(
        {"status": "ready" if ready else "not_ready", "database": database, "adapters": adapters},
        status=200 if ready else 503,
    )


async def metrics(request: web.Request) -> web.Response:
    bot = request.app[APP_KEY]
    return web.Response(body=bot.metrics.render(), content_type="text/plain", charset="utf-8")

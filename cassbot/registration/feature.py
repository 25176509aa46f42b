"""Installing the registration feature on the app: stage, commands, timers, hooks, pages."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from cassbot import texts
from cassbot.panel.site import PanelSite
from cassbot.registration.access import shown
from cassbot.registration.admission import install_admission_hooks
from cassbot.registration.chat import register_chat_commands
from cassbot.registration.csrf import FormTokens
from cassbot.registration.dates import show
from cassbot.registration.deadlines import install_deadline_timers
from cassbot.registration.keys import SecretKeeper
from cassbot.registration.ratelimit import RateLimiter
from cassbot.registration.roster import install_roster_upkeep
from cassbot.registration.stage import RegistrationStage

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"


class RegistrationFeature:
    """The parts the registration pages and jobs share (built once per app, no globals)."""

    def __init__(self, app: CassBot) -> None:
        self.app = app
        self.settings = app.settings.registration
        secret = app.settings.panel.secret_key
        self.keeper = SecretKeeper(app.db, secret.get_secret_value() if secret else None)
        self.limiter = RateLimiter(app.db)
        public = app.settings.server.public_url or ""
        self.tokens = FormTokens(self.keeper, secure=public.startswith("https://"))
        self.env = Environment(
            loader=ChoiceLoader(
                [
                    PackageLoader("cassbot.registration", "templates"),
                    PackageLoader("cassbot.panel", "templates"),
                    PackageLoader("cassbot.web", "templates"),
                ]
            ),
            autoescape=select_autoescape(["html", "xml"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["fecha"] = show
        self.env.filters["clave"] = shown
        self.env.globals.update(texts=texts, rules=texts.RULES)
        self.panel = PanelSite(
            app, self.keeper, self.limiter, self.tokens, self.render, self.client_ip
        )

    def render(self, template: str, *, status: int = 200, **context: Any) -> web.Response:
        body = self.env.get_template(template).render(now=self.app.clock.now(), **context)
        response = web.Response(
            text=body, status=status, content_type="text/html", charset="utf-8"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    def client_ip(self, request: web.Request) -> str:
        if self.settings.trust_forwarded_for:
            forwarded = request.headers.get("X-Forwarded-For", "")
            hops = [h.strip() for h in forwarded.split(",") if h.strip()]
            if hops:
                return hops[-1]  # the address our own proxy saw
        return request.remote or "desconocida"

    def community_names(self) -> list[tuple[str, str]]:
        return sorted(
            ((c.id, c.name) for c in self.app.directory.communities), key=lambda pair: pair[1]
        )


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = STATIC_DIR / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


def install_registration(app: CassBot) -> None:
    if not app.settings.registration.enabled:
        return
    from cassbot.enforcement.web_panel import register_moderation_pages
    from cassbot.registration.privacy import install_retention
    from cassbot.registration.web_panel import register_panel_pages
    from cassbot.registration.web_public import public_routes

    feature = RegistrationFeature(app)
    app.pipeline.insert("registration", RegistrationStage(), before="membership")
    register_chat_commands(app.commands)
    install_deadline_timers(app)
    install_admission_hooks(app)
    install_roster_upkeep(app)
    install_retention(app, feature)
    register_panel_pages(feature)
    register_moderation_pages(app, feature.panel, feature.community_names)  # docs/moderacion.md
    app.extra_routes.extend(public_routes(feature))
    app.extra_routes.extend(feature.panel.routes())
    app.extra_routes.append(web.get("/registro/static/{name}", static_file))
    logger.debug(
        "registration feature installed",
        extra={"review_hours": app.settings.registration.review_hours},
    )

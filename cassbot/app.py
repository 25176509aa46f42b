"""The composition root: builds every part of cassbot from the settings, starts and stops them.

Nothing else constructs services; parts receive what they need here (no global singletons).
Features (moderation, tickets, registration…) are installed by functions that register their
pipeline stages, commands, timers, routes and result hooks on the app.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Iterable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.adapter import Adapter, AdapterRegistry
from cassbot.clock import Clock, SystemClock
from cassbot.commands import CommandRegistry
from cassbot.core_commands import register_core_commands
from cassbot.directory import Directory, GroupPlace
from cassbot.ingress import Ingress
from cassbot.metrics import Metrics
from cassbot.outbox import Outbox
from cassbot.pipeline import ActionPlan, Pipeline
from cassbot.processor import EventProcessor
from cassbot.scheduler import Scheduler
from cassbot.settings import Settings
from cassbot.stages.commands import CommandsStage
from cassbot.stages.context import ContextStage
from cassbot.stages.membership import MembershipStage
from cassbot.stages.screening import PassThroughDecide, PassThroughScreen
from cassbot.storage.db import Database
from cassbot.storage.migrate import upgrade
from cassbot.storage.models import Community, Group
from cassbot.web.app import build_web_app

logger = logging.getLogger(__name__)

Feature = Callable[["CassBot"], None]
AdapterFactory = Callable[["CassBot"], Adapter]


def default_adapter_factories(settings: Settings) -> list[AdapterFactory]:
    """The adapters the configuration enables, built lazily (their libraries load only then)."""
    factories: list[AdapterFactory] = []
    if settings.adapters.local.enabled:

        def local(app: CassBot) -> Adapter:
            from adapters.local import LocalAdapter

            return LocalAdapter(
                app.db,
                app.clock,
                app.directory,
                settings.adapters.local,
                public_url=settings.server.public_url,
            )

        factories.append(local)
    if settings.adapters.email.enabled:

        def email(app: CassBot) -> Adapter:
            from adapters.email import EmailAdapter

            return EmailAdapter(settings.adapters.email)

        factories.append(email)

    # --- whatsapp (WAHA gateway): adapter, roster reconcile, result hooks ---
    if settings.adapters.whatsapp.enabled:

        def whatsapp(app: CassBot) -> Adapter:
            from adapters.whatsapp import install_whatsapp

            return install_whatsapp(app)

        factories.append(whatsapp)
    # --- end whatsapp ---

    # --- telegram ---
    if settings.adapters.telegram.enabled:

        def telegram(app: CassBot) -> Adapter:
            from adapters.telegram import build_telegram

            return build_telegram(app, settings.adapters.telegram)

        factories.append(telegram)
    # --- end telegram ---
    return factories


def default_features() -> list[Feature]:
    # Each feature installs its stages, commands, timers, routes and result hooks.
    from cassbot.enforcement import install as install_moderation
    from cassbot.registration.feature import install_registration  # docs/registro.md
    from cassbot.tickets.feature import install_tickets  # docs/tickets.md

    return [install_moderation, install_tickets, install_registration]


class CassBot:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        adapter_factories: Iterable[AdapterFactory] | None = None,
        features: Iterable[Feature] | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.metrics = Metrics()
        self.db = Database(settings.database_url, echo=settings.database.echo)
        self.directory = Directory(settings)
        self.adapters = AdapterRegistry()
        self.commands = CommandRegistry()
        register_core_commands(self.commands)
        self.pipeline = Pipeline()
        self.pipeline.append("context", ContextStage())
        self.pipeline.append("membership", MembershipStage())
        self.pipeline.append("commands", CommandsStage())
        self.pipeline.append("screen", PassThroughScreen())
        self.pipeline.append("decide", PassThroughDecide())
        self.outbox = Outbox(self.db, self.adapters, self.clock, settings.outbox, self.metrics)
        self.scheduler = Scheduler(self.db, self.clock, settings.scheduler)
        self.scheduler.after_run(self.outbox.wake)
        self.processor = EventProcessor(self, self.db, self.pipeline, settings.processing)
        self.ingress = Ingress(self.db, self.processor, self.clock, self.metrics)
        self.extra_routes: list[web.RouteDef] = []
        self.startup_hooks: list[Callable[[], object]] = []
        factories = (
            default_adapter_factories(settings) if adapter_factories is None else adapter_factories
        )
        for factory in factories:
            self.adapters.add(factory(self))
        for install in default_features() if features is None else features:
            install(self)
        self.web = build_web_app(self)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self._started = False

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self, *, serve_http: bool = True) -> None:
        """Migrate, sync the configuration, start adapters, recover, start loops and the web."""
        await upgrade(self.db)
        await self.sync_config()
        for adapter in self.adapters:
            await adapter.start(self.ingress)
        await self.outbox.recover()
        await self.processor.recover()
        for hook in self.startup_hooks:
            result = hook()
            if asyncio.iscoroutine(result):
                await result
        self.outbox.start()
        self.scheduler.start()
        if serve_http:
            self._runner = web.AppRunner(self.web, access_log=None, shutdown_timeout=5)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.settings.server.host, self.settings.server.port)
            await site.start()
            self.port = _bound_port(self._runner, self.settings.server.port)
        self._started = True
        logger.info(
            "cassbot started",
            extra={"adapters": ",".join(self.adapters.names()), "url": self.base_url},
        )

    async def stop(self) -> None:
        """Graceful shutdown: stop taking requests, drain events, finish the outbox, close."""
        if not self._started:
            await self.db.close()
            return
        self._started = False
        # Order matters: no new requests, then finish what was taken in, then let the
        # channels go (the outbox still needs them while it drains).
        for adapter in self.adapters:
            await adapter.prepare_shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.processor.drain()
        await self.scheduler.stop()
        await self.outbox.stop()
        for adapter in self.adapters:
            try:
                await adapter.stop()
            except Exception:
                logger.exception("adapter failed to stop", extra={"adapter": adapter.name})
        await self.db.close()
        logger.info("cassbot stopped")

    async def run_forever(self, on_started: Callable[[], None] | None = None) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        if on_started is not None:
            on_started()
        try:
            await stop.wait()
        finally:
            logger.info("shutting down")
            await self.stop()

    @property
    def base_url(self) -> str:
        if self.settings.server.public_url:
            return self.settings.server.public_url
        host = self.settings.server.host
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
        return f"http://{shown}:{self.port or self.settings.server.port}"

    # Configuration → database -------------------------------------------------------------------

    async def sync_config(self) -> None:
        """Create or update the configured communities and groups in the database."""
        async with self.db.transaction() as session:
            for community in self.settings.communities:
                row = await session.get(Community, community.id)
                if row is None:
                    session.add(Community(id=community.id, name=community.name))
                else:
                    row.name = community.name
            await session.flush()
            for place in self.directory.groups():
                await self.sync_group(session, place)

    async def sync_group(self, session: AsyncSession, place: GroupPlace) -> Group:
        from cassbot.people import group_by_chat

        group = await group_by_chat(session, place.group.channel, place.group.chat_id)
        if group is None:
            group = Group(
                community_id=place.community.id,
                channel=place.group.channel,
                chat_id=place.group.chat_id,
                name=place.group.name or place.community.name,
                dry_run=place.group.dry_run,
            )
            session.add(group)
        else:
            group.community_id = place.community.id
            group.name = place.group.name or place.community.name
            group.dry_run = place.group.dry_run
        await session.flush()
        return group

    # Helpers used by stages ----------------------------------------------------------------------

    def bot_usernames(self, channel: str) -> set[str]:
        adapter = self.adapters.get(channel)
        name = getattr(adapter, "bot_username", None)
        return {name.lower()} if isinstance(name, str) and name else set()

    async def persist_planned(self, plan: ActionPlan) -> None:
        """Write the actions a pipeline run (or a panel decision) planned into the outbox, in
        the same transaction; keys derive from the plan's scope, never from a missing event."""
        for index, planned in enumerate(plan.planned):
            key = planned.key or f"{plan.key_scope}:{index}:{planned.action.kind}"
            await self.outbox.enqueue(
                plan.session,
                planned.action,
                key=key,
                purpose=planned.purpose,
                cause_event_id=plan.event_id,
                community_id=plan.community_id,
                audit_id=planned.audit.id if planned.audit else None,
                dry_run=planned.dry_run,
            )


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return configured

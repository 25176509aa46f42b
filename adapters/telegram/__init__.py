"""The Telegram channel: groups through the Bot API (python-telegram-bot as the client)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.telegram.adapter import TelegramAdapter, TelegramStartupError
from adapters.telegram.admins import AdminWatcher

if TYPE_CHECKING:
    from cassbot.app import CassBot
    from cassbot.settings import TelegramAdapterSettings

__all__ = ["AdminWatcher", "TelegramAdapter", "TelegramStartupError", "build_telegram"]


def build_telegram(app: CassBot, settings: TelegramAdapterSettings) -> TelegramAdapter:
    """The adapter, with its admin watcher scheduled (the composition root calls this)."""
    adapter = TelegramAdapter(settings, app.db, app.clock)
    watcher = AdminWatcher(app, adapter)
    app.scheduler.every("telegram.admins", settings.admin_refresh_s, watcher.refresh_all)
    adapter.on_bot_status_change(watcher.refresh_chat)
    return adapter

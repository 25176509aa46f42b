"""`cassbot telegram …`: register the webhook once, check the bot, or go back to polling.

cassbot telegram set-webhook      register <server.public_url>/webhooks/telegram
cassbot telegram info             the bot, its webhook, and its rights in each group
cassbot telegram delete-webhook   stop webhook deliveries (e.g. before polling)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from cassbot.cli.common import add_config_option, settings_from
from cassbot.config import ConfigError
from cassbot.settings import Settings, TelegramAdapterSettings

T = TypeVar("T")
WEBHOOK_PATH = "/webhooks/telegram"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("telegram", help="manage the Telegram bot (webhook, status)")
    sub = parser.add_subparsers(dest="telegram_command", metavar="ACTION")
    set_hook = sub.add_parser(
        "set-webhook",
        help="register this server's webhook with Telegram (once, not at every start)",
        description=(
            f"Tell Telegram to deliver updates to <server.public_url>{WEBHOOK_PATH} with the "
            "configured secret. Telegram needs a public HTTPS address (ports 443, 80, 88 or "
            "8443)."
        ),
    )
    delete_hook = sub.add_parser(
        "delete-webhook",
        help="stop webhook deliveries (polling mode does this by itself)",
        description="Remove the webhook; Telegram keeps new updates until someone asks for them.",
    )
    for command in (set_hook, delete_hook):
        command.add_argument(
            "--drop-pending",
            action="store_true",
            help="discard the updates Telegram is still holding for the bot",
        )
    info = sub.add_parser(
        "info",
        help="show the bot, its webhook and its rights in each configured group",
        description="Ask Telegram about the bot (getMe), its webhook and each configured group.",
    )
    handlers = ((set_hook, set_webhook_cmd), (delete_hook, delete_webhook_cmd), (info, info_cmd))
    for command, handler in handlers:
        add_config_option(command)
        command.set_defaults(handler=handler)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def set_webhook_cmd(args: argparse.Namespace) -> int:
    settings = settings_from(args, log=False)
    telegram = _telegram(settings)
    public_url = settings.server.public_url
    if public_url is None or not public_url.startswith("https://"):
        return _fail(
            "server.public_url must be the public https:// address of this server "
            '(Telegram only delivers to HTTPS). Without one, use mode = "polling".'
        )
    if telegram.webhook_secret is None:
        return _fail(
            "adapters.telegram.webhook_secret is not set "
            "(CASSBOT__ADAPTERS__TELEGRAM__WEBHOOK_SECRET; e.g. openssl rand -hex 32)"
        )
    secret = telegram.webhook_secret.get_secret_value()
    url = public_url + WEBHOOK_PATH

    async def register(bot: Any) -> Any:
        from adapters.telegram.normalise import ALLOWED_UPDATES

        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=telegram.webhook_max_connections,
            drop_pending_updates=args.drop_pending,
        )
        return await bot.get_webhook_info()

    info = _call(telegram, register)
    if info is None:
        return 1
    print(f"Webhook set: {info.url}")
    print(f"  updates:         {', '.join(info.allowed_updates or ())}")
    print(f"  pending updates: {info.pending_update_count}")
    if telegram.mode != "webhook":
        print(
            'Note: adapters.telegram.mode is "polling"; set it to "webhook", or polling will '
            "remove this webhook when cassbot starts."
        )
    return 0


def delete_webhook_cmd(args: argparse.Namespace) -> int:
    telegram = _telegram(settings_from(args, log=False))

    async def delete(bot: Any) -> bool:
        return bool(await bot.delete_webhook(drop_pending_updates=args.drop_pending))

    if _call(telegram, delete) is None:
        return 1
    print("Webhook removed." + (" Pending updates discarded." if args.drop_pending else ""))
    return 0


def info_cmd(args: argparse.Namespace) -> int:
    settings = settings_from(args, log=False)
    telegram = _telegram(settings)
    groups = [
        (group.chat_id, group.name or community.name)
        for community in settings.communities
        for group in community.groups
        if group.channel == "telegram"
    ]

    async def gather(bot: Any) -> tuple[Any, Any, list[tuple[str, str, Any]]]:
        from telegram.error import TelegramError

        webhook = await bot.get_webhook_info()
        rights: list[tuple[str, str, Any]] = []
        for chat_id, name in groups:
            try:
                rights.append((chat_id, name, await bot.get_chat_member(int(chat_id), bot.id)))
            except TelegramError as exc:
                rights.append((chat_id, name, exc.message))
        return bot.bot, webhook, rights

    found = _call(telegram, gather)
    if found is None:
        return 1
    me, webhook, rights = found
    _print_bot(me, telegram)
    _print_webhook(webhook, settings)
    print(f"Groups ({len(rights)} configured):")
    for chat_id, name, member in rights:
        print(f"  {name} ({chat_id}): {_describe_rights(member)}")
    return 0


# Output ---------------------------------------------------------------------------------------


def _print_bot(me: Any, telegram: TelegramAdapterSettings) -> None:
    print(f"Bot: @{me.username} (id {me.id}, {me.full_name})")
    if me.can_read_all_group_messages:
        print("  privacy mode:    off (it sees every message in its groups)")
    else:
        print(
            "  privacy mode:    ON: it sees only commands and replies. Turn it off with "
            "@BotFather: /setprivacy → Disable, then remove and re-add the bot to each group"
        )
    print(f"  cassbot mode:    {telegram.mode}")


def _print_webhook(webhook: Any, settings: Settings) -> None:
    expected = (settings.server.public_url or "<server.public_url>") + WEBHOOK_PATH
    if not webhook.url:
        print("Webhook: none" + (" (fine for polling)" if _is_polling(settings) else ""))
        if not _is_polling(settings):
            print("  run `cassbot telegram set-webhook` so Telegram delivers updates")
    else:
        mark = "" if webhook.url == expected else f"  (cassbot expects {expected})"
        print(f"Webhook: {webhook.url}{mark}")
        print(f"  updates:         {', '.join(webhook.allowed_updates or ('default set',))}")
    print(f"  pending updates: {webhook.pending_update_count}")
    if webhook.last_error_message:
        when = webhook.last_error_date
        stamp = when.isoformat(timespec="minutes") if isinstance(when, datetime) else "?"
        print(f"  last error:      {stamp} {webhook.last_error_message}")


def _describe_rights(member: Any) -> str:
    if isinstance(member, str):
        return f"cannot see the group: {member}"
    if member.status == "creator":
        return "owner (can do everything)"
    if member.status != "administrator":
        return f"{member.status}, NOT an admin: it cannot delete messages or remove anyone"
    needed = {
        "can_delete_messages": "delete messages",
        "can_restrict_members": "ban users",
        "can_invite_users": "invite users via link",
    }
    missing = [label for right, label in needed.items() if not getattr(member, right, False)]
    if missing:
        return "admin, but missing: " + ", ".join(missing)
    return "admin with the rights it needs"


def _is_polling(settings: Settings) -> bool:
    return settings.adapters.telegram.mode == "polling"


# Plumbing -------------------------------------------------------------------------------------


def _telegram(settings: Settings) -> TelegramAdapterSettings:
    telegram = settings.adapters.telegram
    if telegram.token is None:
        raise ConfigError(
            "adapters.telegram.token is not set (CASSBOT__ADAPTERS__TELEGRAM__TOKEN)"
        )
    return telegram


def _call(telegram: TelegramAdapterSettings, work: Callable[[Any], Awaitable[T]]) -> T | None:
    """Open the bot (getMe checks the token), run `work`, and turn failures into one line."""
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from adapters.telegram.client import build_bot

    async def main() -> T:
        async with build_bot(telegram) as bot:
            return await work(bot)

    try:
        return asyncio.run(main())
    except InvalidToken:
        _fail("Telegram rejected the bot token: check it with @BotFather")
    except NetworkError as exc:
        _fail(f"could not reach Telegram at {telegram.base_url}: {exc.message}")
    except TelegramError as exc:
        _fail(f"Telegram refused: {exc.message}")
    return None


def _fail(message: str) -> int:
    print(f"cassbot: {message}", file=sys.stderr)
    return 2

"""A fake Telegram Bot API: a real aiohttp server on 127.0.0.1 (random port) for tests.

It serves `/bot<token>/<method>` like api.telegram.org: form bodies (PTB sends each field as a
string, JSON-encoded when it is not one) or JSON bodies, Telegram's envelope
(`{"ok": true, "result": …}` / `{"ok": false, "error_code": …, "description": …,
"parameters": {"retry_after": n}}`), and the error descriptions Telegram uses. It keeps
consistent chat state (members and their statuses, the bot's rights, messages, join requests),
so deleting an unknown message or banning without rights fails as it would on Telegram. Every
call is recorded; failures can be injected per method. Point PTB at it with
`base_url=f"{fake.url}/bot"`.

Helpers build updates from that state, queue them for getUpdates, or post them to cassbot's
webhook with or without the secret header.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

from tests.telegram import payloads as tg

JSON = dict[str, Any]
# Fields whose value is text even when it looks like JSON ("123", "true").
_TEXT_FIELDS = frozenset(
    {"text", "parse_mode", "url", "secret_token", "name", "caption", "custom_title", "ip_address"}
)
_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    ]
)


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass
class Call:
    method: str
    params: JSON
    status: int = 200


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    when: Callable[[JSON], bool] | None = None


@dataclass
class Chat:
    info: JSON
    members: dict[int, JSON] = field(default_factory=dict)  # user id → ChatMember JSON
    messages: dict[int, JSON] = field(default_factory=dict)
    join_requests: set[int] = field(default_factory=set)
    invite_links: list[JSON] = field(default_factory=list)
    link_uses: dict[str, int] = field(default_factory=dict)  # invite link → people who joined
    next_message_id: int = 1

    @property
    def id(self) -> int:
        return int(self.info["id"])


class FakeBotAPI:
    def __init__(
        self,
        token: str = "7000000001:AAF-fake-token_for-tests",
        username: str = "cass_jilotepec_bot",
        *,
        privacy_mode: bool = False,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = tg.user(self.bot_id, "Asistente CASS", is_bot=True, username=username)
        self.privacy_mode = privacy_mode
        self.calls: list[Call] = []
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, JSON] = {}
        self.started: set[int] = set()  # users who opened a private chat with the bot
        self.webhook: JSON = {"url": "", "secret_token": None, "allowed_updates": None}
        self.pending: list[JSON] = []  # updates not yet confirmed through getUpdates
        self.posted: list[JSON] = []  # every message the bot sent
        # Updates Telegram sends because of the bot's own calls (a join it approved): tests
        # deliver them, as Telegram would.
        self.follow_ups: list[JSON] = []
        # Telegram's clock (unix seconds): the real time unless a test makes it agree with
        # cassbot's ManualClock (invite links expire by it).
        self.clock: Callable[[], float] = time.time
        self.failures: list[Failure] = []
        self._update_ids = itertools.count(500_000_001)
        self._new_updates = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.url = ""

    # Server --------------------------------------------------------------------------------------

    async def start(self) -> FakeBotAPI:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        self._closing = True
        self._new_updates.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """What to give PTB (and cassbot's `adapters.telegram.base_url`)."""
        return f"{self.url}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        call = Call(method, params)
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            return _answer(call, ApiError(401, "Unauthorized"))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _answer(call, ApiError(404, "Not Found"))
        try:
            self._maybe_fail(method, params)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            return _answer(call, error)
        return _answer(call, result)

    # Test controls -------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 400,
        description: str = "Bad Request: injected failure",
        retry_after: int | None = None,
        times: int = 1,
        when: Callable[[JSON], bool] | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (matching `when`) with this error."""
        if status == 429 and description == "Bad Request: injected failure":
            description = f"Too Many Requests: retry after {retry_after}"
        self.failures.append(Failure(method, status, description, retry_after, times, when))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[JSON]:
        """Messages the bot posted successfully (deleted ones too), oldest first."""
        return [m for m in self.posted if chat_id is None or m["chat"]["id"] == chat_id]

    def _maybe_fail(self, method: str, params: JSON) -> None:
        for failure in self.failures:
            if failure.method != method or failure.times <= 0:
                continue
            if failure.when is not None and not failure.when(params):
                continue
            failure.times -= 1
            raise ApiError(failure.status, failure.description, failure.retry_after)

    # World state ---------------------------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str, last_name: str | None = None, *, started: bool = False
    ) -> JSON:
        person = tg.user(user_id, first_name, last_name)
        self.users[user_id] = person
        if started:
            self.started.add(user_id)
        return person

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        bot_status: str = "administrator",
        bot_rights: dict[str, bool] | None = None,
    ) -> Chat:
        chat = Chat(tg.group_chat(chat_id, title))
        self.chats[chat_id] = chat
        rights = tg.MODERATOR_RIGHTS if bot_rights is None else bot_rights
        chat.members[self.bot_id] = tg.member(self.bot_user, bot_status, **rights)
        return chat

    def set_member(
        self, chat_id: int, user_id: int, status: str = "member", **fields: Any
    ) -> JSON:
        """Put someone in a chat with a status; returns the ChatMember it had before."""
        chat = self.chats[chat_id]
        person = self.bot_user if user_id == self.bot_id else self.users[user_id]
        before = chat.members.get(user_id, tg.member(person, "left"))
        chat.members[user_id] = tg.member(person, status, **fields)
        return before

    def now(self) -> int:
        return int(self.clock())

    def status_of(self, chat_id: int, user_id: int) -> str:
        member = self.chats[chat_id].members.get(user_id)
        return str(member["status"]) if member else "left"

    # Updates -------------------------------------------------------------------------------------

    def message_update(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        reply_to: int | None = None,
        **extra: Any,
    ) -> JSON:
        """A user posts in a chat (recorded in its state); returns the `message` update."""
        chat = self._chat_for_user(chat_id, user_id)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        fields = dict(extra)
        if reply_to is not None:
            fields["reply_to_message"] = {
                k: v for k, v in chat.messages[reply_to].items() if k != "reply_to_message"
            }
        msg = tg.message(message_id, chat.info, self.users[user_id], self.now(), text, **fields)
        chat.messages[message_id] = msg
        return {"update_id": self.next_update_id(), "message": msg}

    def member_update(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        *,
        by: int | None = None,
        **fields: Any,
    ) -> JSON:
        """Someone's status changes (applied to the state); returns the update Telegram sends."""
        old = self.set_member(chat_id, user_id, status, **fields)
        chat = self.chats[chat_id]
        actor = self.users.get(by or user_id) or self.bot_user
        kind = "my_chat_member" if user_id == self.bot_id else "chat_member"
        extra: JSON = {}
        for key in ("invite_link", "via_join_request"):
            if kind == "chat_member" and key in fields:
                extra[key] = fields[key]
        change = tg.member_updated(
            chat.info, actor, self.now(), old, chat.members[user_id], **extra
        )
        return {"update_id": self.next_update_id(), kind: change}

    def join_with_link(self, chat_id: int, user_id: int, invite_link: str) -> JSON:
        """Someone opens an invite link the bot made and is in; returns the `chat_member` update.

        Telegram's rules hold: a revoked, expired or used-up link lets nobody in.
        """
        chat = self.chats[chat_id]
        link = self._invite_link(chat, invite_link)
        if link is None or link["is_revoked"] or link.get("creates_join_request"):
            raise ValueError(f"{invite_link} does not let anyone straight in")
        if link.get("expire_date") is not None and link["expire_date"] <= self.now():
            raise ValueError(f"{invite_link} has expired")
        used = chat.link_uses.get(invite_link, 0)
        if link.get("member_limit") is not None and used >= link["member_limit"]:
            raise ValueError(f"{invite_link} was already used")
        chat.link_uses[invite_link] = used + 1
        return self.member_update(chat_id, user_id, "member", invite_link=link)

    def join_request_update(
        self, chat_id: int, user_id: int, *, invite_link: str | None = None
    ) -> JSON:
        """Someone asks to join (through a link that asks for approval, or the group's page)."""
        chat = self.chats[chat_id]
        chat.join_requests.add(user_id)
        request: JSON = {
            "chat": chat.info,
            "from": self.users[user_id],
            "user_chat_id": user_id,
            "date": self.now(),
        }
        if invite_link is not None:
            link = self._invite_link(chat, invite_link)
            if link is not None and not link["creates_join_request"]:
                raise ValueError(f"{invite_link} lets people straight in: nobody asks")
            request["invite_link"] = link or {  # a link an admin made in the app
                "invite_link": invite_link,
                "creator": self.bot_user,  # who made it does not matter to cassbot
                "creates_join_request": True,
                "is_primary": False,
                "is_revoked": False,
            }
        return {"update_id": self.next_update_id(), "chat_join_request": request}

    def _invite_link(self, chat: Chat, invite_link: str) -> JSON | None:
        return next((x for x in chat.invite_links if x["invite_link"] == invite_link), None)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def queue(self, *updates: JSON) -> None:
        """Make updates available to getUpdates (waking a waiting long poll)."""
        self.pending.extend(updates)
        self._new_updates.set()

    async def deliver(
        self, webhook_url: str, update: JSON, *, secret: str | None
    ) -> tuple[int, JSON]:
        """POST an update to cassbot's webhook as Telegram does; returns (status, JSON body)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(webhook_url, json=update, headers=headers) as response,
        ):
            body = await response.json(content_type=None)
            return response.status, body

    # Bot API methods -----------------------------------------------------------------------------

    def _m_getMe(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
        }

    def _m_setWebhook(self, params: JSON) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": params.get("max_connections", 40),
        }
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    def _m_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = {"url": "", "secret_token": None, "allowed_updates": None}
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    def _m_getWebhookInfo(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        if self.webhook["url"]:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            if self.webhook.get("allowed_updates") is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _m_getUpdates(self, params: JSON) -> list[JSON]:
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if isinstance(offset, int):
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if not self.pending and timeout > 0 and not self._closing:
            self._new_updates.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_updates.wait(), timeout)
        return list(self.pending[:limit])

    def _m_sendMessage(self, params: JSON) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if params.get("parse_mode") == "HTML":
            text = _plain_from_html(text)
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        fields: JSON = {}
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            original = chat.messages.get(int(reply["message_id"]))
            if original is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            if original is not None:
                fields["reply_to_message"] = original
        message_id = chat.next_message_id
        chat.next_message_id += 1
        msg = tg.message(message_id, chat.info, self.bot_user, self.now(), text, **fields)
        msg["html"] = params.get("text") if params.get("parse_mode") == "HTML" else None
        chat.messages[message_id] = msg
        self.posted.append(msg)
        return {k: v for k, v in msg.items() if k != "html"}

    def _m_deleteMessage(self, params: JSON) -> bool:
        chat = self._group(params.get("chat_id"))
        message_id = int(params["message_id"])
        msg = chat.messages.get(message_id)
        if msg is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        own = msg.get("from", {}).get("id") == self.bot_id
        if not own and not self._bot_can(chat, "can_delete_messages"):
            raise ApiError(400, "Bad Request: message can't be deleted")
        del chat.messages[message_id]
        return True

    def _m_banChatMember(self, params: JSON) -> bool:
        chat, user_id = self._restrictable(params)
        self.set_member(chat.id, user_id, "kicked", until_date=params.get("until_date", 0))
        return True

    def _m_unbanChatMember(self, params: JSON) -> bool:
        chat = self._group(params.get("chat_id"))
        self._require(chat, "can_restrict_members")
        user_id = int(params["user_id"])
        status = self.status_of(chat.id, user_id)
        if status == "kicked" or (not params.get("only_if_banned") and status != "left"):
            self.set_member(chat.id, user_id, "left")  # without only_if_banned, it kicks
        return True

    def _m_restrictChatMember(self, params: JSON) -> bool:
        chat, user_id = self._restrictable(params)
        permissions = params.get("permissions") or {}
        present = self.status_of(chat.id, user_id) in ("member", "restricted")
        until = params.get("until_date", 0)
        self.set_member(
            chat.id, user_id, "restricted", is_member=present, until_date=until, **permissions
        )
        return True

    def _m_promoteChatMember(self, params: JSON) -> bool:
        chat = self._group(params.get("chat_id"))
        self._require(chat, "can_promote_members")
        user_id = self._known_user(params)
        rights = {k: bool(v) for k, v in params.items() if k.startswith("can_")}
        if any(rights.values()):
            self.set_member(chat.id, user_id, "administrator", **rights)
        elif self.status_of(chat.id, user_id) == "administrator":
            self.set_member(chat.id, user_id, "member")
        return True

    def _m_getChatMember(self, params: JSON) -> JSON:
        chat = self._group(params.get("chat_id"))
        user_id = self._known_user(params)
        member = chat.members.get(user_id)
        if member is not None:
            return member
        return tg.member(self.users.get(user_id, self.bot_user), "left")

    def _m_getChatAdministrators(self, params: JSON) -> list[JSON]:
        chat = self._group(params.get("chat_id"))
        if self.status_of(chat.id, self.bot_id) in ("left", "kicked"):
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        return [m for m in chat.members.values() if m["status"] in ("creator", "administrator")]

    def _m_createChatInviteLink(self, params: JSON) -> JSON:
        chat = self._group(params.get("chat_id"))
        self._require(chat, "can_invite_users")
        if params.get("member_limit") and params.get("creates_join_request"):
            raise ApiError(400, "Bad Request: can't combine member limit with join request")
        link: JSON = {
            "invite_link": f"https://t.me/+{secrets.token_urlsafe(12)}",
            "creator": self.bot_user,
            "creates_join_request": bool(params.get("creates_join_request")),
            "is_primary": False,
            "is_revoked": False,
        }
        for key in ("name", "expire_date", "member_limit"):
            if params.get(key) is not None:
                link[key] = params[key]
        chat.invite_links.append(link)
        return link

    def _m_approveChatJoinRequest(self, params: JSON) -> bool:
        chat = self._group(params.get("chat_id"))
        self._require(chat, "can_invite_users")
        user_id = int(params["user_id"])
        if self.status_of(chat.id, user_id) in ("member", "administrator", "creator"):
            raise ApiError(400, "Bad Request: USER_ALREADY_PARTICIPANT")
        if user_id not in chat.join_requests:
            raise ApiError(400, "Bad Request: HIDE_REQUESTER_MISSING")
        chat.join_requests.discard(user_id)
        old = self.set_member(chat.id, user_id, "member")
        change = tg.member_updated(
            chat.info, self.bot_user, self.now(), old, chat.members[user_id], via_join_request=True
        )
        self.follow_ups.append({"update_id": self.next_update_id(), "chat_member": change})
        return True

    # Rules shared by the methods -----------------------------------------------------------------

    def _chat_for_user(self, chat_id: int, user_id: int) -> Chat:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id != user_id:
            raise KeyError(f"no chat {chat_id}")
        self.started.add(user_id)  # writing to the bot opens (and starts) the private chat
        chat = Chat(tg.private_chat(self.users[user_id]))
        self.chats[chat_id] = chat
        return chat

    def _writable_chat(self, chat_id: Any) -> Chat:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            if chat_id not in self.users:
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id in self.started:
                return self._chat_for_user(chat_id, chat_id)
            # A bot may write to someone waiting on a join request to one of its groups.
            if any(chat_id in c.join_requests for c in self.chats.values()):
                return self.chats.setdefault(chat_id, Chat(tg.private_chat(self.users[chat_id])))
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        chat = self._group(chat_id)
        status = self.status_of(chat.id, self.bot_id)
        if status == "kicked":
            raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        if status == "left":
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        return chat

    def _group(self, chat_id: Any) -> Chat:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _known_user(self, params: JSON) -> int:
        user_id = params.get("user_id")
        if user_id == self.bot_id:
            return user_id
        if not isinstance(user_id, int) or user_id not in self.users:
            raise ApiError(400, "Bad Request: user not found")
        return user_id

    def _restrictable(self, params: JSON) -> tuple[Chat, int]:
        chat = self._group(params.get("chat_id"))
        self._require(chat, "can_restrict_members")
        user_id = self._known_user(params)
        status = self.status_of(chat.id, user_id)
        if status == "creator":
            raise ApiError(400, "Bad Request: can't remove chat owner")
        if status == "administrator":
            raise ApiError(400, "Bad Request: user is an administrator of the chat")
        return chat, user_id

    def _bot_can(self, chat: Chat, right: str) -> bool:
        me = chat.members.get(self.bot_id, {})
        return me.get("status") == "creator" or bool(
            me.get("status") == "administrator" and me.get(right)
        )

    def _require(self, chat: Chat, right: str) -> None:
        if self.status_of(chat.id, self.bot_id) in ("left", "kicked"):
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        if not self._bot_can(chat, right):
            if right == "can_restrict_members":
                raise ApiError(
                    400, "Bad Request: not enough rights to restrict/unrestrict chat member"
                )
            raise ApiError(400, "Bad Request: not enough rights")


# Helpers --------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> JSON:
    """The call's parameters, decoded the way the Bot API reads them."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    raw: dict[str, str] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {key: _decode(key, value) for key, value in raw.items()}


def _decode(key: str, value: str) -> Any:
    if key in _TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _answer(call: Call, outcome: Any) -> web.Response:
    if isinstance(outcome, ApiError):
        call.status = outcome.status
        body: JSON = {
            "ok": False,
            "error_code": outcome.status,
            "description": outcome.description,
        }
        if outcome.retry_after is not None:
            body["parameters"] = {"retry_after": outcome.retry_after}
        return web.json_response(body, status=outcome.status)
    return web.json_response({"ok": True, "result": outcome})


class _TelegramHTML(HTMLParser):
    """Telegram's HTML mode: a few tags, balanced; everything else must be escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _plain_from_html(markup: str) -> str:
    parser = _TelegramHTML()
    parser.feed(markup)
    parser.close()
    if parser.stack:
        raise ApiError(400, "Bad Request: can't parse entities: Can't find end tag")
    return "".join(parser.text)

"""The playground's web routes: the chat page, its JSON API and a live stream of each chat."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import select

from adapters.local.adapter import BOT_ID, PlaygroundError
from cassbot import texts
from cassbot.storage.models import AuditEntry, Group, Identity, PlaygroundEntry, PlaygroundMember
from cassbot.web.templating import render

if TYPE_CHECKING:
    from adapters.local.adapter import LocalAdapter

MAX_TEXT = 4096
STREAM_SECONDS = 25.0
STATIC_DIR = Path(__file__).parent / "static"


def playground_routes(adapter: LocalAdapter) -> list[web.RouteDef]:
    api = PlaygroundApi(adapter)
    return [
        web.get("/playground", api.page),
        web.get("/playground/api/setup", api.setup),
        web.post("/playground/api/messages", api.post_message),
        web.post("/playground/api/join", api.join),
        web.get("/playground/api/chats/{chat}/entries", api.entries),
        web.get("/playground/api/chats/{chat}/stream", api.stream),
        web.get("/playground/api/chats/{chat}/members", api.members),
        web.get("/playground/api/chats/{chat}/audit", api.audit),
        web.get("/playground/static/{name}", api.static),
    ]


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def entry_json(entry: PlaygroundEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "message_id": entry.message_id,
        "author_id": entry.author_id,
        "author_name": entry.author_name,
        "is_bot": entry.author_id == BOT_ID,
        "text": entry.text,
        "reply_to": entry.reply_to,
        "data": entry.data,
        "at": entry.created_at.isoformat(),
    }


class PlaygroundApi:
    def __init__(self, adapter: LocalAdapter) -> None:
        self._adapter = adapter

    async def page(self, request: web.Request) -> web.Response:
        return render("adapters.local", "playground.html", chats=self._adapter.chats())

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = STATIC_DIR / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    async def setup(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "chats": [
                    {"id": chat_id, "name": name, "community": community}
                    for chat_id, name, community in self._adapter.chats()
                ],
                "personas": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "official": p.official,
                        "department": p.department,
                    }
                    for p in self._adapter.personas()
                ],
            }
        )

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PlaygroundError("El cuerpo de la petición no es JSON válido.") from None
        if not isinstance(body, dict):
            raise PlaygroundError("Se esperaba un objeto JSON.")
        return body

    async def post_message(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                raise PlaygroundError(texts.PLAYGROUND_EMPTY)
            if len(text) > MAX_TEXT:
                raise PlaygroundError(texts.PLAYGROUND_TOO_LONG.format(limit=MAX_TEXT))
            chat, persona = _str(body, "chat"), _str(body, "persona")
            client_id = body.get("client_id")
            if client_id is not None and (not isinstance(client_id, str) or len(client_id) > 64):
                raise PlaygroundError("client_id debe ser un texto de hasta 64 caracteres.")
            reply_to = body.get("reply_to")
            if reply_to is not None and not isinstance(reply_to, str):
                raise PlaygroundError("reply_to debe ser el id de un mensaje.")
            message_id = await self._adapter.post(
                chat, persona, text.strip(), client_id=client_id, reply_to=reply_to
            )
        except PlaygroundError as exc:
            return _error(str(exc), exc.status)
        return web.json_response({"message_id": message_id}, status=202)

    async def join(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            await self._adapter.join(_str(body, "chat"), _str(body, "persona"))
        except PlaygroundError as exc:
            return _error(str(exc), exc.status)
        return web.json_response({"ok": True}, status=202)

    async def entries(self, request: web.Request) -> web.Response:
        after = _int_query(request, "after")
        if after is None:
            return _error("after debe ser un número entero.")
        rows = await self._adapter.entries(request.match_info["chat"], after)
        return web.json_response({"entries": [entry_json(e) for e in rows]})

    async def stream(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: new entries of one chat as they happen (the page reconnects)."""
        chat_id = request.match_info["chat"]
        after = _int_query(request, "after")
        if after is None:
            return _error("after debe ser un número entero.")
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        await response.write(b"retry: 1000\n\n")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_SECONDS
        try:
            while loop.time() < deadline and not self._adapter.closing:
                rows = await self._adapter.entries(chat_id, after)
                if rows:
                    after = rows[-1].seq
                    payload = json.dumps([entry_json(e) for e in rows], ensure_ascii=False)
                    await response.write(f"event: entries\ndata: {payload}\n\n".encode())
                    continue
                await self._adapter.wait_for_change(chat_id, min(5.0, deadline - loop.time()))
                await response.write(b": keep-alive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    async def members(self, request: web.Request) -> web.Response:
        chat_id = request.match_info["chat"]
        async with self._adapter.db.read() as session:
            rows = (
                await session.execute(
                    select(PlaygroundMember).where(PlaygroundMember.chat_id == chat_id)
                )
            ).scalars()
            return web.json_response(
                {
                    "members": [
                        {"id": m.user_id, "name": m.name, "status": m.status, "admin": m.admin}
                        for m in rows
                    ]
                }
            )

    async def audit(self, request: web.Request) -> web.Response:
        """What the bot did in this chat, newest first: the audit log explains every step."""
        chat_id = request.match_info["chat"]
        async with self._adapter.db.read() as session:
            group = (
                await session.execute(
                    select(Group).where(Group.channel == "local", Group.chat_id == chat_id)
                )
            ).scalar_one_or_none()
            if group is None:
                return _error(texts.PLAYGROUND_UNKNOWN_CHAT, 404)
            rows = (
                await session.execute(
                    select(AuditEntry, Identity.display_name)
                    .outerjoin(Identity, Identity.id == AuditEntry.subject_identity_id)
                    .where(AuditEntry.group_id == group.id)
                    .order_by(AuditEntry.id.desc())
                    .limit(100)
                )
            ).all()
            return web.json_response(
                {
                    "audit": [
                        {
                            "id": entry.id,
                            "at": entry.at.isoformat(),
                            "action": entry.action,
                            "rule_id": entry.rule_id,
                            "actor": entry.actor_name,
                            "actor_kind": entry.actor_kind,
                            "subject": subject,
                            "detail": entry.detail,
                            "dry_run": entry.dry_run,
                            "undone": entry.undone_at is not None,
                        }
                        for entry, subject in rows
                    ]
                }
            )


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise PlaygroundError(f"Falta el campo «{key}».")
    return value


def _int_query(request: web.Request, key: str) -> int | None:
    raw = request.query.get(key, "0")
    try:
        return max(0, int(raw))
    except ValueError:
        return None

"""A fake WAHA gateway for tests: a real aiohttp server on 127.0.0.1 (random port) with state.

It speaks WAHA's paths, status codes and error bodies (see shared/research/whatsapp-gateway.md
§2.5 and §5): sessions with statuses, groups whose participants mix `@lid` and `@c.us` ids
(with `pn` phone mapping, hidden when the bot is not an admin), admin rights, a message store
(deleting an unknown id is a 404; deleting someone else's message needs admin rights and the
participant suffix), media files that expire, and a webhook emitter that signs with
HMAC-SHA512 and can send duplicates, out-of-order deliveries and bad signatures. Faults (429,
5xx, the whole gateway down) are injected per test. Every REST call and webhook is recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

API_KEY = "test-waha-key"
HMAC_KEY = "test-hmac-key"
SESSION = "default"
VERSION = "2026.7.1"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JSON_BODY: web.RequestKey[Any] = web.RequestKey("json_body", Any)  # type: ignore[arg-type]


@dataclass
class Participant:
    id: str
    pn: str | None = None  # the `@c.us` id behind a `@lid` id
    role: str = "participant"  # participant | admin | superadmin
    name: str = ""


@dataclass
class FakeGroup:
    id: str
    subject: str
    participants: dict[str, Participant] = field(default_factory=dict)
    invite_code: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    refuse_add: set[str] = field(default_factory=set)  # privacy: only invite links


@dataclass
class StoredMessage:
    id: str
    chat_id: str
    wa_id: str
    participant: str | None
    from_me: bool
    body: str
    revoked: bool = False


@dataclass
class Call:
    method: str
    path: str  # decoded
    raw_path: str
    query: dict[str, str]
    body: Any
    api_key: str | None
    status: int = 0
    response: Any = None


@dataclass
class Delivery:
    envelope: dict[str, Any]
    headers: dict[str, str]
    status: int | None  # None: cassbot did not answer


@dataclass
class Fault:
    contains: str
    status: int
    method: str | None
    times: int
    body: Any
    retry_after: float | None


def _error(status: int, message: str) -> web.Response:
    """WAHA's NestJS error bodies."""
    if status == 401:
        return web.json_response({"message": "Unauthorized", "statusCode": 401}, status=401)
    if status == 404:
        return web.json_response(
            {"message": message, "error": "Not Found", "statusCode": 404}, status=404
        )
    if status == 400:
        return web.json_response(
            {"message": [message], "error": "Bad Request", "statusCode": 400}, status=400
        )
    return web.json_response(
        {
            "statusCode": status,
            "timestamp": "2026-12-04T12:00:00.000Z",
            "exception": {"message": message, "name": "Error"},
            "version": VERSION,
        },
        status=status,
    )


class FakeWaha:
    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        hmac_key: str = HMAC_KEY,
        session: str = SESSION,
        engine: str = "GOWS",
        me_phone: str = "5217610000001",
        me_lid: str = "100000000000001@lid",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_key = api_key
        self.hmac_key = hmac_key
        self.session = session
        self.engine = engine
        self.clock = clock
        self.sessions: dict[str, str] = {session: "WORKING"}
        self.me = {
            "id": f"{me_phone}@c.us",
            "lid": me_lid,
            "jid": f"{me_phone}:12@s.whatsapp.net",
            "pushName": "Asistente CASS",
        }
        self.groups: dict[str, FakeGroup] = {}
        self.lids: dict[str, str] = {}
        self.messages: dict[str, StoredMessage] = {}
        self.media: dict[str, tuple[bytes, str, float]] = {}
        self.media_lifetime_s = 180.0
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []
        self.faults: list[Fault] = []
        self.webhook_url: str | None = None
        self.auto_events = True  # emit the webhooks WAHA sends after deletes and changes
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._http: aiohttp.ClientSession | None = None
        self._background: set[asyncio.Task[Any]] = set()

    # Server lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(self._routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port, reuse_address=True)
        await site.start()
        if not self._port:
            self._port = self._runner.addresses[0][1]
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def go_down(self) -> None:
        """The gateway stops answering: connections are refused until `come_back()`."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def come_back(self) -> None:
        await self.start()

    async def stop(self) -> None:
        for task in list(self._background):
            await asyncio.gather(task, return_exceptions=True)
        await self.go_down()
        if self._http is not None:
            await self._http.close()
            self._http = None

    # State helpers for tests --------------------------------------------------------------------

    def add_group(
        self,
        group_id: str,
        subject: str,
        participants: list[Participant] = (),  # type: ignore[assignment]
        *,
        bot_role: str = "admin",
        bot_id: str | None = None,
    ) -> FakeGroup:
        group = FakeGroup(group_id, subject)
        bot = Participant(bot_id or self.me["lid"], pn=self.me["id"], role=bot_role)
        group.participants[bot.id] = bot
        for participant in participants:
            self.add_participant(group_id, participant, group=group)
        self.groups[group_id] = group
        return group

    def add_participant(
        self, group_id: str, participant: Participant, *, group: FakeGroup | None = None
    ) -> None:
        """Someone is in the group (no webhook: as if it happened while nobody listened)."""
        group = group or self.groups[group_id]
        group.participants[participant.id] = participant
        if participant.id.endswith("@lid") and participant.pn:
            self.lids[participant.id] = participant.pn

    def set_bot_role(self, group_id: str, role: str) -> None:
        for participant in self.groups[group_id].participants.values():
            if participant.id in (self.me["id"], self.me["lid"]):
                participant.role = role

    def bot_is_admin(self, group_id: str) -> bool:
        group = self.groups[group_id]
        return any(
            p.role in ("admin", "superadmin")
            for p in group.participants.values()
            if p.id in (self.me["id"], self.me["lid"])
        )

    def fail(
        self,
        contains: str,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        """The next `times` calls whose path contains `contains` get `status`."""
        self.faults.append(Fault(contains, status, method, times, body, retry_after))

    def calls_to(self, method: str, contains: str) -> list[Call]:
        return [
            c for c in self.calls if c.method == method and contains in c.path and c.status < 300
        ]

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Bodies of the messages cassbot sent successfully."""
        return [c.body for c in self.calls_to("POST", "/api/sendText")]

    def expire_media(self) -> None:
        self.media = {k: (d, m, 0.0) for k, (d, m, _) in self.media.items()}

    # REST surface -------------------------------------------------------------------------------

    def _routes(self) -> list[web.RouteDef]:
        s = "/api/{session}"
        return [
            web.get("/api/sessions/{session}", self._get_session),
            web.get("/api/sessions/{session}/me", self._get_me),
            web.post("/api/sendText", self._send_text),
            web.post("/api/sendSeen", self._send_seen),
            web.delete(s + "/chats/{chat}/messages/{message}", self._delete_message),
            web.get(s + "/groups/{group}/participants/v2", self._participants),
            web.post(s + "/groups/{group}/participants/{op}", self._change),
            web.post(s + "/groups/{group}/admin/{op}", self._change),
            web.get(s + "/groups/{group}/invite-code", self._invite_code),
            web.get(s + "/lids/pn/{pn}", self._pn_to_lid),
            web.get(s + "/lids/{lid}", self._lid_to_pn),
            web.get("/api/files/{session}/{name}", self._file),
        ]

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw.decode(errors="replace")
        key = request.headers.get("X-Api-Key") or request.query.get("x-api-key")
        call = Call(request.method, request.path, request.raw_path, dict(request.query), body, key)
        self.calls.append(call)
        request[JSON_BODY] = body
        response = await self._respond(request, handler, call)
        call.status = response.status
        if isinstance(response, web.Response) and response.body is not None:
            text = response.text if response.content_type == "application/json" else None
            call.response = json.loads(text) if text else None
        return response

    async def _respond(
        self, request: web.Request, handler: Handler, call: Call
    ) -> web.StreamResponse:
        if call.api_key != self.api_key:
            return _error(401, "Unauthorized")
        for fault in self.faults:
            matches = fault.times > 0 and fault.contains in request.path
            if matches and fault.method in (None, request.method):
                fault.times -= 1
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else None
                if fault.body is not None:
                    return web.json_response(fault.body, status=fault.status, headers=headers)
                response = _error(
                    fault.status,
                    "rate-overlimit" if fault.status == 429 else "injected failure",
                )
                if headers:
                    response.headers.update(headers)
                return response
        session = request.match_info.get("session")
        if request.path == "/api/sendText" and isinstance(call.body, dict):
            session = call.body.get("session")
        if session is not None and not request.path.startswith("/api/sessions/"):
            if session not in self.sessions:
                return _error(404, "Session not found")
            status = self.sessions[session]
            if status != "WORKING":
                return web.json_response(
                    {
                        "error": "Session status is not as expected. Try again later or "
                        "restart the session",
                        "session": session,
                        "status": status,
                        "expected": ["WORKING"],
                    },
                    status=422,
                )
        return await handler(request)

    async def _get_session(self, request: web.Request) -> web.Response:
        name = request.match_info["session"]
        if name not in self.sessions:
            return _error(404, "Session not found")
        status = self.sessions[name]
        info: dict[str, Any] = {
            "name": name,
            "status": status,
            "presence": {},
            "timestamps": {"activity": self.clock() * 1000},
            "config": {"metadata": {}, "debug": False},
        }
        if status == "WORKING":
            info["me"] = self.me
        return web.json_response(info)

    async def _get_me(self, request: web.Request) -> web.Response:
        name = request.match_info["session"]
        if name not in self.sessions:
            return _error(404, "Session not found")
        return web.json_response(self.me)

    async def _send_text(self, request: web.Request) -> web.Response:
        body = request[JSON_BODY]
        if not isinstance(body, dict):
            return _error(400, "body must be an object")
        for name in ("chatId", "text", "session"):
            if not isinstance(body.get(name), str):
                return _error(400, f"{name} must be a string")
        chat_id = body["chatId"]
        if chat_id.endswith("@g.us") and chat_id not in self.groups:
            return _error(500, "group not found")
        wa_id = f"3EB0{next(self._ids):016X}"
        message_id = f"true_{chat_id}_{wa_id}"  # no participant suffix, as WAHA does (#1464)
        self.messages[message_id] = StoredMessage(
            message_id, chat_id, wa_id, None, True, body["text"]
        )
        return web.json_response(
            {
                "id": message_id,
                "timestamp": int(self.clock()),
                "from": self.me["id"],
                "fromMe": True,
                "source": "api",
                "to": chat_id,
                "body": body["text"],
                "hasMedia": False,
                "ack": 1,
                "ackName": "SERVER",
                "vCards": [],
                "_data": {},
            },
            status=201,
        )

    async def _send_seen(self, request: web.Request) -> web.Response:
        return web.json_response({}, status=201)

    async def _delete_message(self, request: web.Request) -> web.Response:
        chat_id = request.match_info["chat"]
        message_id = request.match_info["message"]
        stored = self.messages.get(message_id)
        if stored is None or stored.chat_id != chat_id:
            parts = message_id.split("_")
            if chat_id.endswith("@g.us") and parts[0] == "false" and len(parts) == 3:
                return _error(500, "bad-request: participant is required for group messages")
            return _error(404, "Message not found")
        if not stored.from_me and chat_id.endswith("@g.us") and not self.bot_is_admin(chat_id):
            return _error(500, "not-authorized")
        if not stored.revoked:
            stored.revoked = True
            self._later(self._revoked(stored))
        return web.Response(status=200)

    def _visible(self, group: FakeGroup, participant: Participant) -> dict[str, Any]:
        row: dict[str, Any] = {"id": participant.id, "role": participant.role}
        # Phone numbers behind @lid ids show only to admins (WAHA's Lids FAQ).
        if participant.pn and (self.bot_is_admin(group.id) or not participant.id.endswith("@lid")):
            row["pn"] = participant.pn
        return row

    async def _participants(self, request: web.Request) -> web.Response:
        group = self.groups.get(request.match_info["group"])
        if group is None:
            return _error(404, "Group not found")
        return web.json_response([self._visible(group, p) for p in group.participants.values()])

    async def _change(self, request: web.Request) -> web.Response:
        group = self.groups.get(request.match_info["group"])
        op = request.match_info["op"]
        if group is None:
            return _error(404, "Group not found")
        if op not in ("add", "remove", "promote", "demote"):
            return _error(404, f"Cannot POST {request.path}")
        body = request[JSON_BODY]
        people = body.get("participants") if isinstance(body, dict) else None
        if not isinstance(people, list) or not all(
            isinstance(p, dict) and isinstance(p.get("id"), str) for p in people
        ):
            return _error(400, "participants must be a list of {id}")
        ids = [p["id"] for p in people]
        if any(i.endswith("@s.whatsapp.net") for i in ids):
            return _error(500, "bad-request")  # NOWEB refuses these ids (WAHA #359)
        if not self.bot_is_admin(group.id):
            return _error(500, "not-authorized")
        results: list[dict[str, Any]] = []
        changed: list[Participant] = []
        for user_id in ids:
            present = group.participants.get(user_id)
            if op == "remove":
                if present is None:
                    results.append({"id": user_id, "status": 404})
                    continue
                del group.participants[user_id]
                changed.append(Participant(user_id, present.pn, "left"))
            elif op == "add":
                if user_id in group.refuse_add:
                    results.append({"id": user_id, "status": 403, "error": "privacy"})
                    continue
                new = present or Participant(user_id, self.lids.get(user_id))
                group.participants[user_id] = new
                changed.append(new)
            elif present is None:
                results.append({"id": user_id, "status": 404})
                continue
            else:
                present.role = "admin" if op == "promote" else "participant"
                changed.append(present)
            results.append({"id": user_id, "status": 200})
        if changed:
            kind = {"add": "join", "remove": "leave"}.get(op, op)
            self._later(
                self.emit(
                    "group.v2.participants", self.participants_payload(group.id, kind, changed)
                )
            )
        return web.json_response(results)

    async def _invite_code(self, request: web.Request) -> web.Response:
        group = self.groups.get(request.match_info["group"])
        if group is None:
            return _error(404, "Group not found")
        if not self.bot_is_admin(group.id):
            return _error(500, "not-authorized")
        return web.json_response(f"https://chat.whatsapp.com/{group.invite_code}")

    async def _lid_to_pn(self, request: web.Request) -> web.Response:
        lid = request.match_info["lid"]
        return web.json_response({"lid": lid, "pn": self.lids.get(lid)})

    async def _pn_to_lid(self, request: web.Request) -> web.Response:
        pn = request.match_info["pn"]
        lid = next((k for k, v in self.lids.items() if v == pn), None)
        return web.json_response({"lid": lid, "pn": pn})

    async def _file(self, request: web.Request) -> web.Response:
        found = self.media.get(request.match_info["name"])
        if found is None or found[2] <= self.clock():
            return web.json_response(
                {
                    "error": {
                        "code": 404,
                        "key": "FILE_NOT_FOUND",
                        "message": "File not found",
                        "details": {"file": request.match_info["name"]},
                    }
                },
                status=404,
            )
        data, mimetype, _ = found
        return web.Response(body=data, content_type=mimetype.split(";")[0])

    # Webhooks -----------------------------------------------------------------------------------

    def envelope(self, event: str, payload: dict[str, Any], *, id: str | None = None) -> dict:
        return {
            "id": id or "evt_" + secrets.token_hex(13)[:26],
            "timestamp": int(self.clock() * 1000),
            "event": event,
            "session": self.session,
            "metadata": {"tenant": "jilotepec"},
            "me": self.me,
            "payload": payload,
            "engine": self.engine,
            "environment": {
                "version": VERSION,
                "engine": self.engine,
                "tier": "CORE",
                "browser": None,
                "platform": "linux/x64",
                "worker": {"id": None},
            },
        }

    async def deliver(
        self, envelope: dict[str, Any], *, signature: str = "good", raw: bytes | None = None
    ) -> int | None:
        """POST one envelope to cassbot: signature "good", "bad" or "missing"."""
        assert self.webhook_url, "set webhook_url first"
        assert self._http is not None, "start() the fake first"
        body = (
            raw
            if raw is not None
            else json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        )
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"WAHA/{VERSION}",
            "X-Webhook-Request-Id": secrets.token_hex(13),
            "X-Webhook-Timestamp": str(int(self.clock() * 1000)),
        }
        if signature != "missing":
            key = self.hmac_key if signature == "good" else "not-the-key"
            headers["X-Webhook-Hmac"] = hmac.new(key.encode(), body, hashlib.sha512).hexdigest()
            headers["X-Webhook-Hmac-Algorithm"] = "sha512"
        status: int | None
        try:
            async with self._http.post(self.webhook_url, data=body, headers=headers) as response:
                status = response.status
        except aiohttp.ClientError:
            status = None
        self.deliveries.append(Delivery(envelope, headers, status))
        return status

    async def emit(
        self, event: str, payload: dict[str, Any], *, times: int = 1, new_ids: bool = False
    ) -> list[int | None]:
        """Deliver an event, `times` times (duplicates keep the envelope id unless `new_ids`)."""
        envelope = self.envelope(event, payload)
        statuses = []
        for _ in range(times):
            statuses.append(await self.deliver(envelope))
            if new_ids:
                envelope = {**envelope, "id": "evt_" + secrets.token_hex(13)[:26]}
        return statuses

    def _later(self, work: Awaitable[Any]) -> None:
        if not self.auto_events or not self.webhook_url:
            if asyncio.iscoroutine(work):
                work.close()
            return
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _revoked(self, stored: StoredMessage) -> None:
        revoke_id = f"3EB0{next(self._ids):016X}"
        after = {
            "id": f"true_{stored.chat_id}_{revoke_id}",
            "timestamp": int(self.clock()),
            "from": stored.chat_id,
            "fromMe": True,
            "body": "",
            "hasMedia": False,
            "_data": {},
        }
        await self.emit(
            "message.revoked",
            {"revokedMessageId": stored.wa_id, "after": after, "before": None, "_data": {}},
        )

    # Payload builders ---------------------------------------------------------------------------

    def message_payload(
        self,
        chat_id: str,
        sender: Participant,
        body: str = "",
        *,
        kind: str = "text",
        engine: str | None = None,
        forwarding_score: int = 0,
        mentions: tuple[str, ...] = (),
        reply_to: StoredMessage | None = None,
        media: str = "ok",  # ok | expired | not_downloaded | error
        seconds: int = 7,
        file_name: str = "recibo.pdf",
        location: tuple[float, float, str] = (19.9537, -99.5329, "Plaza de Canalejas"),
    ) -> dict[str, Any]:
        """A `message` payload from `sender` in `chat_id`, stored so it can be deleted."""
        engine = engine or self.engine
        wa_id = f"3EB0{next(self._ids):016X}"
        group = chat_id.endswith("@g.us")
        message_id = f"false_{chat_id}_{wa_id}" + (f"_{sender.id}" if group else "")
        self.messages[message_id] = StoredMessage(
            message_id, chat_id, wa_id, sender.id if group else None, False, body
        )
        mimetype = {
            "voice": "audio/ogg; codecs=opus",
            "audio": "audio/mpeg",
            "image": "image/jpeg",
            "document": "application/pdf",
        }.get(kind)
        payload: dict[str, Any] = {
            "id": message_id,
            "timestamp": int(self.clock()),
            "from": chat_id,
            "fromMe": False,
            "to": self.me["id"],
            "participant": sender.id if group else None,
            "body": body,
            "hasMedia": mimetype is not None,
            "media": None,
            "ack": 1,
            "ackName": "SERVER",
            "vCards": [],
            "replyTo": None,
        }
        if mimetype is not None:
            extension = {"voice": "oga", "audio": "mp3", "image": "jpeg", "document": "pdf"}[kind]
            name = f"{wa_id}.{extension}"
            lifetime = 0.0 if media == "expired" else self.media_lifetime_s
            self.media[name] = (b"fake-" + kind.encode(), mimetype, self.clock() + lifetime)
            url = f"{self.url}/api/files/{self.session}/{name}"
            if media in ("ok", "expired"):
                payload["media"] = {
                    "url": url,
                    "mimetype": mimetype,
                    "filename": file_name if kind == "document" else None,
                    "error": None,
                }
            elif media == "error":
                payload["media"] = {"mimetype": mimetype, "error": {"message": "download failed"}}
        if kind == "location":
            lat, lon, place = location
            payload["location"] = {
                "latitude": str(lat),
                "longitude": str(lon),
                "live": False,
                "name": place,
            }
        if reply_to is not None:
            payload["replyTo"] = {
                "id": reply_to.wa_id,
                "participant": reply_to.participant or self.me["id"],
                "body": reply_to.body,
                "hasMedia": False,
            }
        payload["_data"] = self._raw(
            engine,
            kind,
            chat_id,
            sender,
            body,
            seconds,
            file_name,
            forwarding_score,
            mentions,
            location,
        )
        return payload

    def _raw(
        self,
        engine: str,
        kind: str,
        chat_id: str,
        sender: Participant,
        body: str,
        seconds: int,
        file_name: str,
        score: int,
        mentions: tuple[str, ...],
        location: tuple[float, float, str],
    ) -> dict[str, Any]:
        """The engine's raw `_data` (shapes per research notes §2.4)."""
        if engine in ("WEBJS", "WPP"):
            raw: dict[str, Any] = {
                "type": {"text": "chat", "voice": "ptt"}.get(kind, kind),
                "notifyName": sender.name,
                "isForwarded": score > 0,
                "forwardingScore": score,
                "mentionedJidList": list(mentions),
            }
            if kind in ("voice", "audio"):
                raw["duration"] = str(seconds)
            return raw
        context: dict[str, Any] = {}
        if score:
            context = {"isForwarded": True, "forwardingScore": score}
        if mentions:
            context["mentionedJID" if engine == "GOWS" else "mentionedJid"] = list(mentions)
        ptt_key = "PTT" if engine == "GOWS" else "ptt"
        inner: dict[str, Any]
        if kind == "text":
            inner = {"extendedTextMessage": {"text": body}}
        elif kind in ("voice", "audio"):
            inner = {
                "audioMessage": {
                    ptt_key: kind == "voice",
                    "seconds": seconds,
                    "mimetype": "audio/ogg; codecs=opus" if kind == "voice" else "audio/mpeg",
                }
            }
        elif kind == "image":
            inner = {
                "imageMessage": {"mimetype": "image/jpeg", "caption": body, "fileLength": 48213}
            }
        elif kind == "document":
            inner = {
                "documentMessage": {
                    "mimetype": "application/pdf",
                    "fileName": file_name,
                    "fileLength": 120400,
                }
            }
        elif kind == "location":
            inner = {
                "locationMessage": {
                    "degreesLatitude": location[0],
                    "degreesLongitude": location[1],
                    "name": location[2],
                }
            }
        else:
            raise ValueError(f"unknown kind {kind!r}")
        if context:
            next(iter(inner.values()))["contextInfo"] = context
        if engine == "GOWS":
            media_type = {"voice": "ptt"}.get(kind, kind if kind != "text" else "")
            return {
                "Info": {
                    "Chat": chat_id,
                    "Sender": sender.id,
                    "IsGroup": chat_id.endswith("@g.us"),
                    "Type": "text" if kind == "text" else "media",
                    "MediaType": media_type,
                    "PushName": sender.name,
                },
                "Message": inner,
            }
        return {
            "key": {"remoteJid": chat_id, "participant": sender.id, "fromMe": False},
            "pushName": sender.name,
            "message": inner,
        }

    @staticmethod
    def participants_payload(
        group_id: str, kind: str, people: list[Participant], *, timestamp: int | None = None
    ) -> dict[str, Any]:
        rows = []
        for person in people:
            row: dict[str, Any] = {"id": person.id, "role": person.role}
            if person.pn:
                row["pn"] = person.pn
            rows.append(row)
        return {
            "type": kind,
            "timestamp": timestamp or int(time.time()),
            "group": {"id": group_id},
            "participants": rows,
            "_data": {},
        }

    def session_status_payload(self, status: str) -> dict[str, Any]:
        return {
            "name": self.session,
            "status": status,
            "statuses": [{"status": status, "timestamp": int(self.clock() * 1000)}],
            "data": None,
        }

    async def set_status(self, status: str, *, notify: bool = True) -> None:
        """The session changes state (and WAHA says so with `session.status`)."""
        self.sessions[self.session] = status
        if notify:
            await self.emit("session.status", self.session_status_payload(status))

    async def join(self, group_id: str, participant: Participant) -> list[int | None]:
        """Someone joins the group: state changes and the webhook goes out."""
        self.add_participant(
            group_id, Participant(participant.id, participant.pn, "participant", participant.name)
        )
        return await self.emit(
            "group.v2.participants", self.participants_payload(group_id, "join", [participant])
        )

    async def post(
        self, chat_id: str, sender: Participant, body: str = "", *, times: int = 1, **kwargs: Any
    ) -> str:
        """`sender` writes in `chat_id`; returns the message id. `times` > 1 re-delivers it."""
        payload = self.message_payload(chat_id, sender, body, **kwargs)
        statuses = await self.emit("message", payload, times=times, new_ids=times > 1)
        assert statuses == [200] * times, f"cassbot answered {statuses}"
        return str(payload["id"])

    async def settle(self) -> None:
        """Wait for webhooks the fake sent on its own (after deletes and member changes)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

"""The local adapter: simulated chats kept in the database, driven from the playground page.

It goes through exactly the same ingress, pipeline and outbox as WhatsApp and Telegram; its
"platform" is the `playground_log` table, which the page reads live.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import (
    Action,
    ActionResult,
    AddMember,
    BanMember,
    CreateInviteLink,
    DeleteMessage,
    RemoveMember,
    SendMessage,
    SetAdmin,
    UnbanMember,
)
from cassbot.adapter import Adapter, Capability, EventSink, MemberInfo
from cassbot.clock import Clock
from cassbot.directory import Directory
from cassbot.events import ChatRef, MemberJoined, MessageFacts, MessagePosted, MessageRef, UserRef
from cassbot.settings import LocalAdapterSettings
from cassbot.storage.db import Database
from cassbot.storage.models import PlaygroundEntry, PlaygroundMember
from cassbot.storage.upsert import insert_ignore

logger = logging.getLogger(__name__)

BOT_ID = "cassbot"
BOT_NAME = "Asistente CASS"
ACCOUNT = "playground"


@dataclass(frozen=True, slots=True)
class PersonaInfo:
    id: str
    name: str
    official: bool
    department: str | None = None


class PlaygroundError(Exception):
    """A request the playground refuses, with a Spanish message for the page."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class LocalAdapter(Adapter):
    name = "local"
    capabilities = frozenset(
        {
            Capability.SEND,
            Capability.PRIVATE_MESSAGES,
            Capability.DELETE_MESSAGE,
            Capability.REMOVE_MEMBER,
            Capability.BAN_MEMBER,
            Capability.UNBAN_MEMBER,
            Capability.ADD_MEMBER,
            Capability.SET_ADMIN,
            Capability.INVITE_LINK,
            Capability.LIST_MEMBERS,
            Capability.LIST_ADMINS,
        }
    )

    def __init__(
        self,
        db: Database,
        clock: Clock,
        directory: Directory,
        settings: LocalAdapterSettings,
        public_url: str | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._directory = directory
        self._settings = settings
        self._public_url = public_url or ""
        self._sink: EventSink | None = None
        self._changed: dict[str, asyncio.Event] = {}
        self.closing = False

    @property
    def db(self) -> Database:
        return self._db

    # Lifecycle and routes -------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        self._sink = sink
        self.closing = False

    async def prepare_shutdown(self) -> None:
        await self.stop()

    async def stop(self) -> None:
        self.closing = True  # live streams end, so the web server can stop promptly
        for event in self._changed.values():
            event.set()
        self._changed.clear()

    def routes(self) -> list[web.RouteDef]:
        from adapters.local.playground import playground_routes

        return playground_routes(self)

    # People and chats ---------------------------------------------------------------------------

    def personas(self) -> list[PersonaInfo]:
        people = [PersonaInfo(p.id, p.name, official=False) for p in self._settings.personas]
        people += [
            PersonaInfo(o.persona_id, o.name, official=True, department=o.department)
            for o in self._directory.officials
        ]
        return people

    def persona(self, persona_id: str) -> PersonaInfo:
        for persona in self.personas():
            if persona.id == persona_id:
                return persona
        from cassbot import texts

        raise PlaygroundError(texts.PLAYGROUND_UNKNOWN_PERSONA, 404)

    def chats(self) -> list[tuple[str, str, str]]:
        """(chat id, group name, community name) of every local group."""
        return [
            (p.group.chat_id, p.group.name or p.community.name, p.community.name)
            for p in self._directory.groups(channel="local")
        ]

    def private_chat(self, user: UserRef) -> ChatRef:
        return ChatRef(channel="local", chat_id=f"dm-{user.user_id}", private=True)

    def _user(self, persona: PersonaInfo) -> UserRef:
        return UserRef(channel="local", user_id=persona.id, display_name=persona.name)

    # What the page does --------------------------------------------------------------------------

    async def post(
        self,
        chat_id: str,
        persona_id: str,
        text: str,
        *,
        client_id: str | None = None,
        reply_to: str | None = None,
    ) -> str:
        """A persona writes in a chat; returns the message id (stable for a repeated client_id)."""
        from cassbot import texts

        persona = self.persona(persona_id)
        chat = self._chat(chat_id, persona)
        client_id = client_id or uuid.uuid4().hex
        now = self._clock.now()
        joined = False
        async with self._db.transaction() as session:
            if not chat.private:
                member = await session.get(PlaygroundMember, (chat.chat_id, persona.id))
                if member is None:
                    session.add(
                        PlaygroundMember(
                            chat_id=chat.chat_id,
                            user_id=persona.id,
                            name=persona.name,
                            status="active",
                            admin=persona.official,
                            updated_at=now,
                        )
                    )
                    await self._log(session, chat.chat_id, "joined", persona.id, persona.name, now)
                    joined = True
                elif member.status != "active":
                    raise PlaygroundError(texts.PLAYGROUND_REMOVED, 403)
            message_id = uuid.uuid4().hex[:16]
            seq = await insert_ignore(
                session,
                PlaygroundEntry.__table__,  # type: ignore[arg-type]
                {
                    "chat_id": chat.chat_id,
                    "kind": "message",
                    "message_id": message_id,
                    "author_id": persona.id,
                    "author_name": persona.name,
                    "text": text,
                    "reply_to": reply_to,
                    "data": {},
                    "idempotency_key": f"in:{client_id}",
                    "created_at": now,
                },
                conflict=["idempotency_key"],
            )
            if seq is None:  # the page sent the same message again (retry, double click)
                existing = (
                    await session.execute(
                        select(PlaygroundEntry.message_id).where(
                            PlaygroundEntry.idempotency_key == f"in:{client_id}"
                        )
                    )
                ).scalar_one()
                message_id = existing or message_id
            reply_author = await self._author_of(session, chat.chat_id, reply_to)
        self._notify(chat.chat_id)
        events: list[MemberJoined | MessagePosted] = []
        user = self._user(persona)
        if joined:
            events.append(
                MemberJoined(
                    dedupe_key=f"local:{ACCOUNT}:join:{chat.chat_id}:{persona.id}:{client_id}",
                    chat=chat,
                    actor=user,
                    member=user,
                    via="self",
                    occurred_at=now,
                )
            )
        events.append(
            MessagePosted(
                dedupe_key=f"local:{ACCOUNT}:msg:{client_id}",
                chat=chat,
                actor=user,
                occurred_at=now,
                message=MessageRef(chat=chat, message_id=message_id),
                text=text,
                reply_to=MessageRef(chat=chat, message_id=reply_to) if reply_to else None,
                reply_to_author=reply_author,
                facts=extract_facts(text),
            )
        )
        assert self._sink is not None, "adapter not started"
        await self._sink.submit_many(events)
        return message_id

    async def join(self, chat_id: str, persona_id: str) -> None:
        """A persona (re)joins a group, e.g. through an invite link."""
        persona = self.persona(persona_id)
        chat = self._chat(chat_id, persona)
        now = self._clock.now()
        async with self._db.transaction() as session:
            member = await session.get(PlaygroundMember, (chat.chat_id, persona.id))
            if member is not None and member.status == "active":
                return
            if member is None:
                session.add(
                    PlaygroundMember(
                        chat_id=chat.chat_id,
                        user_id=persona.id,
                        name=persona.name,
                        status="active",
                        admin=persona.official,
                        updated_at=now,
                    )
                )
            else:
                member.status = "active"
            seq = await self._log(session, chat.chat_id, "joined", persona.id, persona.name, now)
        self._notify(chat.chat_id)
        user = self._user(persona)
        assert self._sink is not None
        await self._sink.submit(
            MemberJoined(
                dedupe_key=f"local:{ACCOUNT}:join:{chat.chat_id}:{seq}",
                chat=chat,
                actor=user,
                member=user,
                via="invite",
                occurred_at=now,
            )
        )

    async def entries(
        self, chat_id: str, after: int = 0, limit: int = 500
    ) -> list[PlaygroundEntry]:
        async with self._db.read() as session:
            return list(
                (
                    await session.execute(
                        select(PlaygroundEntry)
                        .where(PlaygroundEntry.chat_id == chat_id, PlaygroundEntry.seq > after)
                        .order_by(PlaygroundEntry.seq)
                        .limit(limit)
                    )
                ).scalars()
            )

    async def wait_for_change(self, chat_id: str, timeout: float) -> bool:
        event = self._changed.setdefault(chat_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def _notify(self, chat_id: str) -> None:
        event = self._changed.pop(chat_id, None)
        if event is not None:
            event.set()

    def _chat(self, chat_id: str, persona: PersonaInfo) -> ChatRef:
        from cassbot import texts

        if chat_id.startswith("dm-"):
            if chat_id != f"dm-{persona.id}":
                raise PlaygroundError(texts.PLAYGROUND_UNKNOWN_CHAT, 404)
            return ChatRef(channel="local", chat_id=chat_id, private=True)
        if chat_id not in {c for c, _, _ in self.chats()}:
            raise PlaygroundError(texts.PLAYGROUND_UNKNOWN_CHAT, 404)
        return ChatRef(channel="local", chat_id=chat_id)

    # Executing actions ---------------------------------------------------------------------------

    async def execute(self, action: Action) -> ActionResult:
        now = self._clock.now()
        chat_id = action.target.chat_id
        async with self._db.transaction() as session:
            result = await self._apply(session, action, now)
        self._notify(chat_id)
        return result

    async def _apply(self, session: AsyncSession, action: Action, now: datetime) -> ActionResult:
        chat_id = action.target.chat_id
        if isinstance(action, SendMessage):
            message_id = uuid.uuid4().hex[:16]
            seq = await insert_ignore(
                session,
                PlaygroundEntry.__table__,  # type: ignore[arg-type]
                {
                    "chat_id": chat_id,
                    "kind": "message",
                    "message_id": message_id,
                    "author_id": BOT_ID,
                    "author_name": BOT_NAME,
                    "text": action.text,
                    "reply_to": action.reply_to.message_id if action.reply_to else None,
                    "data": {},
                    "idempotency_key": f"out:{action.idempotency_key}",
                    "created_at": now,
                },
                conflict=["idempotency_key"],
            )
            if seq is None:
                logger.warning(
                    "repeated send detected and suppressed",
                    extra={"idempotency_key": action.idempotency_key, "chat": chat_id},
                )
                existing = (
                    await session.execute(
                        select(PlaygroundEntry.message_id).where(
                            PlaygroundEntry.idempotency_key == f"out:{action.idempotency_key}"
                        )
                    )
                ).scalar_one_or_none()
                return ActionResult.success(
                    platform_ref=existing, detail="duplicate send suppressed"
                )
            # The platform's message id, as other channels return it: replies refer to it.
            return ActionResult.success(platform_ref=message_id)
        if isinstance(action, DeleteMessage):
            message_id = action.message.message_id
            target = (
                await session.execute(
                    select(PlaygroundEntry).where(
                        PlaygroundEntry.chat_id == chat_id,
                        PlaygroundEntry.message_id == message_id,
                        PlaygroundEntry.kind == "message",
                    )
                )
            ).scalar_one_or_none()
            if target is None:
                return ActionResult(status="not_found", detail="no such message")
            if target.data.get("deleted"):
                return ActionResult.success(detail="already deleted")
            target.data = {**target.data, "deleted": True}
            await self._log(
                session, chat_id, "deleted", BOT_ID, BOT_NAME, now, message_id=message_id
            )
            return ActionResult.success()
        if isinstance(action, RemoveMember | BanMember | UnbanMember | AddMember | SetAdmin):
            return await self._member_action(session, action, now)
        if isinstance(action, CreateInviteLink):
            link = (
                f"{self._public_url}/playground?chat={chat_id}&invitacion={uuid.uuid4().hex[:10]}"
            )
            return ActionResult.success(platform_ref=link)
        return ActionResult(status="unsupported", detail=f"local cannot {action.kind}")

    async def _member_action(
        self,
        session: AsyncSession,
        action: RemoveMember | BanMember | UnbanMember | AddMember | SetAdmin,
        now: datetime,
    ) -> ActionResult:
        chat_id = action.chat.chat_id
        user = action.user
        member = await session.get(PlaygroundMember, (chat_id, user.user_id))
        if member is None:
            member = PlaygroundMember(
                chat_id=chat_id,
                user_id=user.user_id,
                name=user.display_name or user.user_id,
                status="left",
                admin=False,
                updated_at=now,
            )
            session.add(member)
        if isinstance(action, RemoveMember | BanMember):
            if member.status in ("removed", "banned"):
                return ActionResult.success(detail="already out")
            member.status = "banned" if isinstance(action, BanMember) else "removed"
            await self._log(
                session,
                chat_id,
                "removed",
                user.user_id,
                member.name,
                now,
                data={"reason": action.reason},
            )
        elif isinstance(action, UnbanMember):
            if member.status == "banned":
                member.status = "left"
        elif isinstance(action, AddMember):
            if member.status == "active":
                return ActionResult.success(detail="already in")
            member.status = "active"
            await self._log(session, chat_id, "added", user.user_id, member.name, now)
        else:
            member.admin = action.admin
            await self._log(
                session,
                chat_id,
                "admin",
                user.user_id,
                member.name,
                now,
                data={"admin": action.admin},
            )
        return ActionResult.success()

    async def list_members(self, chat: ChatRef) -> list[MemberInfo]:
        async with self._db.read() as session:
            rows = (
                await session.execute(
                    select(PlaygroundMember).where(
                        PlaygroundMember.chat_id == chat.chat_id,
                        PlaygroundMember.status == "active",
                    )
                )
            ).scalars()
            return [
                MemberInfo(
                    user=UserRef(channel="local", user_id=m.user_id, display_name=m.name),
                    admin=m.admin,
                )
                for m in rows
            ]

    async def _author_of(
        self, session: AsyncSession, chat_id: str, message_id: str | None
    ) -> UserRef | None:
        if not message_id:
            return None
        entry = (
            await session.execute(
                select(PlaygroundEntry).where(
                    PlaygroundEntry.chat_id == chat_id,
                    PlaygroundEntry.message_id == message_id,
                    PlaygroundEntry.kind == "message",
                )
            )
        ).scalar_one_or_none()
        if entry is None:
            return None
        return UserRef(
            channel="local",
            user_id=entry.author_id,
            display_name=entry.author_name,
            is_bot=entry.author_id == BOT_ID,
        )

    async def _log(
        self,
        session: AsyncSession,
        chat_id: str,
        kind: str,
        author_id: str,
        author_name: str,
        now: datetime,
        *,
        message_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        entry = PlaygroundEntry(
            chat_id=chat_id,
            kind=kind,
            message_id=message_id,
            author_id=author_id,
            author_name=author_name,
            text="",
            data=data or {},
            created_at=now,
        )
        session.add(entry)
        await session.flush()
        return entry.seq


def extract_facts(text: str) -> MessageFacts:
    """Links and @mentions typed in the playground (other adapters get them from the platform)."""
    links = tuple(re.findall(r"(?:https?://|www\.)[^\s<>\"']+", text, flags=re.I))
    mentions = tuple(re.findall(r"@([\w\-]{2,64})", text))
    return MessageFacts(links=links, mentions=mentions)

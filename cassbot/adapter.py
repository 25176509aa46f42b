"""The adapter contract: a channel's translator between its platform and cassbot's values.

An adapter verifies and normalises inbound payloads into events (pure functions, tested on
captured payloads), hands them to the ingress, and executes outbound actions, mapping platform
errors to typed results. No moderation logic lives in adapters.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from aiohttp import web

from cassbot.actions import Action, ActionResult
from cassbot.events import ChatRef, Event, UserRef


class Capability(enum.StrEnum):
    SEND = "send"
    PRIVATE_MESSAGES = "private_messages"
    DELETE_MESSAGE = "delete_message"
    REMOVE_MEMBER = "remove_member"
    BAN_MEMBER = "ban_member"
    UNBAN_MEMBER = "unban_member"
    ADD_MEMBER = "add_member"
    SET_ADMIN = "set_admin"
    RESTRICT_MEMBER = "restrict_member"
    INVITE_LINK = "invite_link"
    APPROVE_JOIN = "approve_join"
    LIST_MEMBERS = "list_members"  # the full roster can be read from the platform
    LIST_ADMINS = "list_admins"
    SEND_EMAIL = "send_email"


# Which capability an action kind needs; the policy checks this before planning an action.
ACTION_CAPABILITY: dict[str, Capability] = {
    "send": Capability.SEND,
    "delete": Capability.DELETE_MESSAGE,
    "remove": Capability.REMOVE_MEMBER,
    "ban": Capability.BAN_MEMBER,
    "unban": Capability.UNBAN_MEMBER,
    "add": Capability.ADD_MEMBER,
    "set_admin": Capability.SET_ADMIN,
    "restrict": Capability.RESTRICT_MEMBER,
    "invite_link": Capability.INVITE_LINK,
    "approve_join": Capability.APPROVE_JOIN,
    "email": Capability.SEND_EMAIL,
}


@dataclass(frozen=True, slots=True)
class MemberInfo:
    user: UserRef
    admin: bool = False
    superadmin: bool = False


@dataclass(frozen=True, slots=True)
class AdapterHealth:
    ready: bool
    status: str = "ok"
    detail: str = ""


class EventSink(Protocol):
    """Where adapters hand normalised events (the ingress)."""

    async def submit(self, event: Event) -> bool:
        """Store and enqueue one event; False when it was already seen."""
        ...

    async def submit_many(self, events: Sequence[Event]) -> int:
        """Store and enqueue events in order; returns how many were new."""
        ...


class UnsupportedOperation(Exception):
    """The channel cannot do this (e.g. list a Telegram group's members)."""


class Adapter(ABC):
    """Base class of every channel adapter."""

    name: ClassVar[str]
    capabilities: frozenset[Capability] = frozenset()

    async def start(self, sink: EventSink) -> None:  # noqa: B027 - optional hook
        """Open sessions and start any pull-style ingress; called once at start-up."""

    async def prepare_shutdown(self) -> None:  # noqa: B027 - optional hook
        """Shutdown begins: end long-lived requests (streams, long polls) before the web stops."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Close sessions; called once at shutdown, after the outbox has drained."""

    def routes(self) -> list[web.RouteDef]:
        """Webhook routes this adapter serves (mounted by the web app)."""
        return []

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def health(self) -> AdapterHealth:
        return AdapterHealth(ready=True)

    def private_chat(self, user: UserRef) -> ChatRef | None:
        """The private conversation with a person, when the channel has one."""
        if Capability.PRIVATE_MESSAGES not in self.capabilities:
            return None
        return ChatRef(channel=self.name, chat_id=user.user_id, private=True)

    @abstractmethod
    async def execute(self, action: Action) -> ActionResult:
        """Carry out an action; never raises for platform errors (they become results)."""

    async def list_members(self, chat: ChatRef) -> list[MemberInfo]:
        raise UnsupportedOperation(f"{self.name} cannot list members")

    async def list_admins(self, chat: ChatRef) -> list[MemberInfo]:
        members = await self.list_members(chat)
        return [m for m in members if m.admin or m.superadmin]


class AdapterRegistry:
    """The running adapters, by channel name (built once by the composition root)."""

    def __init__(self, adapters: Sequence[Adapter] = ()) -> None:
        self._by_name: dict[str, Adapter] = {}
        for adapter in adapters:
            self.add(adapter)

    def add(self, adapter: Adapter) -> None:
        if adapter.name in self._by_name:
            raise ValueError(f"adapter {adapter.name!r} registered twice")
        self._by_name[adapter.name] = adapter

    def get(self, name: str) -> Adapter | None:
        return self._by_name.get(name)

    def __iter__(self) -> Iterator[Adapter]:
        return iter(self._by_name.values())

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        return list(self._by_name)

"""The per-event pipeline: an onion of named stages sharing one Context and one transaction.

Stages run in order (context → membership → commands → screen → decide by default); each calls
`call_next()` to continue or returns to stop the chain. Everything a stage decides lands in the
same database transaction as the outbox rows of the actions it planned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import Action, SendMessage
from cassbot.audit import add_audit_entry
from cassbot.events import ChatRef, Event, MessageEdited, MessagePosted, MessageRef, UserRef
from cassbot.storage.models import AuditEntry, Group, Identity, Membership, Person

if TYPE_CHECKING:
    from cassbot.app import CassBot
    from cassbot.directory import GroupPlace
    from cassbot.settings import OfficialSettings

logger = logging.getLogger(__name__)

ROLE_RANK = {"vecino": 0, "autoridad_local": 1, "funcionario": 2, "administrador": 3}
EXEMPT_ROLES = frozenset({"funcionario", "administrador"})


@dataclass(slots=True)
class Sender:
    """Who sent the event, resolved against the database and the configured officials."""

    user: UserRef
    identity: Identity
    person: Person
    official: OfficialSettings | None = None
    membership: Membership | None = None

    @property
    def role(self) -> str:
        roles = ["vecino"]
        if self.membership is not None:
            roles.append(self.membership.role)
            if self.membership.platform_admin:
                roles.append("administrador")
        if self.official is not None:
            roles.append(
                "administrador" if self.official.role == "administrador" else "funcionario"
            )
        return max(roles, key=ROLE_RANK.__getitem__)

    @property
    def exempt(self) -> bool:
        """Officials and admins are never screened or sanctioned automatically."""
        return self.role in EXEMPT_ROLES

    @property
    def name(self) -> str:
        return self.user.display_name or self.identity.display_name or self.user.user_id


@dataclass(slots=True)
class PlannedAction:
    action: Action
    purpose: str = ""
    dry_run: bool = False
    audit: AuditEntry | None = None
    key: str | None = None  # explicit idempotency key (else derived from the event)


@dataclass(slots=True)
class Context:
    app: CassBot
    event: Event
    event_id: int | None
    session: AsyncSession
    now: datetime
    place: GroupPlace | None = None
    group: Group | None = None
    sender: Sender | None = None
    planned: list[PlannedAction] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    # Convenience views -----------------------------------------------------------------------

    @property
    def chat(self) -> ChatRef:
        return self.event.chat

    @property
    def community_id(self) -> str | None:
        return self.place.community.id if self.place else None

    @property
    def key_scope(self) -> str:
        """What the idempotency keys of this run's actions derive from: its event."""
        if self.event_id is None:
            raise RuntimeError("a pipeline run without a stored event has no key scope")
        return f"ev{self.event_id}"

    @property
    def in_group(self) -> bool:
        return self.place is not None and not self.event.chat.private

    @property
    def dry_run(self) -> bool:
        if self.group is None:
            return False
        if self.group.dry_run_override is not None:
            return self.group.dry_run_override
        return self.group.dry_run

    @property
    def message(self) -> MessagePosted | MessageEdited | None:
        return self.event if isinstance(self.event, MessagePosted | MessageEdited) else None

    @property
    def message_ref(self) -> MessageRef | None:
        message = self.message
        return message.message if message is not None else None

    # Planning actions --------------------------------------------------------------------------

    def emit(
        self,
        action: Action,
        *,
        purpose: str = "",
        dry_run: bool = False,
        audit: AuditEntry | None = None,
        key: str | None = None,
    ) -> PlannedAction:
        planned = PlannedAction(action, purpose, dry_run, audit, key)
        self.planned.append(planned)
        return planned

    def reply(self, text: str, *, purpose: str = "reply", dry_run: bool = False) -> PlannedAction:
        """Answer in the chat the event came from, quoting the message when there is one."""
        return self.emit(
            SendMessage(chat=self.chat, text=text, reply_to=self.message_ref),
            purpose=purpose,
            dry_run=dry_run,
        )

    def tell_privately(
        self,
        user: UserRef,
        text: str,
        *,
        purpose: str = "private",
        fallback_in_chat: bool = True,
    ) -> PlannedAction | None:
        """Write to a person's private chat; fall back to a reply here when it can't reach them."""
        adapter = self.app.adapters.get(user.channel)
        private = adapter.private_chat(user) if adapter else None
        if private is None:
            return self.reply(text, purpose=purpose) if fallback_in_chat else None
        fallback = self.chat if fallback_in_chat and not self.chat.private else None
        return self.emit(
            SendMessage(
                chat=private,
                text=text,
                fallback_chat=fallback,
                fallback_reply_to=self.message_ref if fallback else None,
            ),
            purpose=purpose,
        )

    async def audit(
        self,
        action: str,
        *,
        rule_id: str | None = None,
        subject: Identity | None = None,
        detail: dict[str, Any] | None = None,
        actor_kind: str | None = None,
        dry_run: bool = False,
    ) -> AuditEntry:
        """Record what was done and why; returns the entry so actions can point at it."""
        if actor_kind is None:
            actor_kind = "official" if self.sender and self.sender.exempt else "bot"
        entry = add_audit_entry(
            self.session,
            at=self.now,
            community_id=self.community_id,
            group_id=self.group.id if self.group else None,
            actor_kind=actor_kind,
            actor_identity_id=(
                self.sender.identity.id if self.sender and actor_kind != "bot" else None
            ),
            actor_name=self.sender.name if self.sender and actor_kind != "bot" else "cassbot",
            action=action,
            rule_id=rule_id,
            subject_identity_id=subject.id if subject else None,
            event_id=self.event_id,
            detail=detail,
            dry_run=dry_run,
        )
        await self.session.flush()
        return entry


class ActionPlan(Protocol):
    """Actions planned in one transaction (a pipeline run, or work outside any event)."""

    @property
    def session(self) -> AsyncSession: ...
    @property
    def planned(self) -> list[PlannedAction]: ...
    @property
    def key_scope(self) -> str: ...
    @property
    def event_id(self) -> int | None: ...
    @property
    def community_id(self) -> str | None: ...


Next = Callable[[], Awaitable[None]]


class Stage(Protocol):
    async def __call__(self, ctx: Context, call_next: Next) -> None: ...


class Pipeline:
    """Named stages in order; features insert or replace stages by name at start-up."""

    def __init__(self) -> None:
        self._stages: list[tuple[str, Stage]] = []

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._stages]

    def append(self, name: str, stage: Stage) -> None:
        self._check_new(name)
        self._stages.append((name, stage))

    def insert(
        self, name: str, stage: Stage, *, before: str | None = None, after: str | None = None
    ) -> None:
        self._check_new(name)
        anchor = before or after
        if anchor is None or (before and after):
            raise ValueError("give exactly one of before= or after=")
        index = self._index(anchor) + (1 if after else 0)
        self._stages.insert(index, (name, stage))

    def replace(self, name: str, stage: Stage) -> None:
        self._stages[self._index(name)] = (name, stage)

    def get(self, name: str) -> Stage:
        return self._stages[self._index(name)][1]

    async def run(self, ctx: Context) -> None:
        async def step(index: int) -> None:
            if index < len(self._stages):
                _, stage = self._stages[index]
                await stage(ctx, lambda: step(index + 1))

        await step(0)

    def _index(self, name: str) -> int:
        for index, (existing, _) in enumerate(self._stages):
            if existing == name:
                return index
        raise KeyError(f"no pipeline stage named {name!r}")

    def _check_new(self, name: str) -> None:
        if name in self.names:
            raise ValueError(f"pipeline stage {name!r} already exists")

"""A moderation session: what the moderation core needs to act, in a chat event or outside one.

The chat commands and the automatic stages build it from the pipeline's Context (sharing its
plan, so the event's transaction persists the actions as before); the officials' panel builds it
from a panel user and persists the plan itself. Either way the same code records cases, points
and the audit trail, and plans outbox actions under idempotency keys derived from `key_scope`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import Action
from cassbot.audit import add_audit_entry
from cassbot.events import ChatRef
from cassbot.pipeline import Context, PlannedAction
from cassbot.storage.models import AuditEntry, Group, Identity, ModerationCase

if TYPE_CHECKING:
    from cassbot.app import CassBot
    from cassbot.directory import GroupPlace


@dataclass(frozen=True, slots=True)
class Moderator:
    """Who decides, as the audit log signs it."""

    name: str
    identity_id: int | None = None  # their chat identity, when acting from a chat
    via: str = "chat"  # chat | panel
    panel_user: str | None = None  # the panel account, when acting from the panel


@dataclass(slots=True)
class ModerationSession:
    app: CassBot
    session: AsyncSession
    now: datetime
    key_scope: str  # unique per operation: planned actions' idempotency keys derive from it
    moderator: Moderator | None = None  # None: the bot decides on its own
    event_id: int | None = None  # the inbound event that caused this, when there is one
    community_id: str | None = None
    place: GroupPlace | None = None
    group: Group | None = None
    planned: list[PlannedAction] = field(default_factory=list)

    @classmethod
    def for_event(cls, ctx: Context, *, signed: bool) -> ModerationSession:
        """The event's session; `signed`: the sender decides (an admin's command)."""
        moderator = None
        if signed and ctx.sender is not None:
            moderator = Moderator(name=ctx.sender.name, identity_id=ctx.sender.identity.id)
        return cls(
            app=ctx.app,
            session=ctx.session,
            now=ctx.now,
            key_scope=ctx.key_scope,
            moderator=moderator,
            event_id=ctx.event_id,
            community_id=ctx.community_id,
            place=ctx.place,
            group=ctx.group,
            planned=ctx.planned,  # the same list: the pipeline persists what is planned here
        )

    async def at_case(self, case: ModerationCase) -> ModerationSession:
        """The same session placed in the case's community and group (same plan).

        `place` stays None when the group is no longer in the configuration.
        """
        group = await self.session.get(Group, case.group_id) if case.group_id else None
        place = None
        if group is not None:
            place = self.app.directory.place(ChatRef(channel=group.channel, chat_id=group.chat_id))
        return replace(self, community_id=case.community_id, place=place, group=group)

    @property
    def chat(self) -> ChatRef | None:
        """The group's chat, when the session is in a group."""
        if self.group is None:
            return None
        return ChatRef(channel=self.group.channel, chat_id=self.group.chat_id)

    @property
    def dry_run(self) -> bool:
        if self.group is None:
            return False
        if self.group.dry_run_override is not None:
            return self.group.dry_run_override
        return self.group.dry_run

    @property
    def actor_name(self) -> str:
        return self.moderator.name if self.moderator else "cassbot"

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

    async def audit(
        self,
        action: str,
        *,
        actor_kind: str,
        rule_id: str | None = None,
        subject: Identity | int | None = None,
        detail: dict[str, Any] | None = None,
        dry_run: bool = False,
        undo_of_id: int | None = None,
    ) -> AuditEntry:
        """Record a step; entries that are not the bot's are signed by the moderator."""
        signer = self.moderator if actor_kind != "bot" else None
        extra = dict(detail or {})
        if signer is not None and signer.via != "chat":
            extra.setdefault("via", signer.via)
            if signer.panel_user:
                extra.setdefault("panel_user", signer.panel_user)
        entry = add_audit_entry(
            self.session,
            at=self.now,
            community_id=self.community_id,
            group_id=self.group.id if self.group else None,
            actor_kind=actor_kind,
            actor_identity_id=signer.identity_id if signer else None,
            actor_name=signer.name if signer else "cassbot",
            action=action,
            rule_id=rule_id,
            subject_identity_id=subject.id if isinstance(subject, Identity) else subject,
            event_id=self.event_id,
            detail=extra,
            dry_run=dry_run,
            undo_of_id=undo_of_id,
        )
        await self.session.flush()
        return entry

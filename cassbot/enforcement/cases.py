"""Finding a moderation case for an official, and deciding on it exactly once.

Every decision on a case starts with `claim`: one conditional UPDATE that moves the case to its
new status only if it is still where the decision expects it. Two officials clicking at the same
moment (or one clicking twice) cannot both confirm, dismiss or undo it: the second is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm.attributes import set_committed_value

from cassbot.enforcement.session import ModerationSession
from cassbot.storage.models import ModerationCase


class Refusal(StrEnum):
    NOT_FOUND = "not_found"  # no such case, or not in the official's communities
    NOT_PENDING = "not_pending"  # confirm/dismiss of a case no longer in review
    ALREADY_UNDONE = "already_undone"
    NOT_A_SANCTION = "not_a_sanction"  # undo of a case that sanctioned nobody (e.g. in review)
    NO_GROUP = "no_group"  # the case's group is no longer configured: nowhere to act


class CaseRefused(Exception):
    """A decision the case's state refuses; each surface words it in Spanish."""

    def __init__(self, refusal: Refusal, case: ModerationCase | None) -> None:
        super().__init__(f"{refusal.value}: case {case.id if case else '?'}")
        self.refusal = refusal
        self.case = case


async def find_case(
    ms: ModerationSession, case_id: int, covered: Collection[str] | None
) -> ModerationCase:
    """The case, when it is in one of the `covered` communities (None: all of them)."""
    case = await ms.session.get(ModerationCase, case_id)
    if case is None or (covered is not None and case.community_id not in covered):
        raise CaseRefused(Refusal.NOT_FOUND, None)
    return case


async def claim(
    ms: ModerationSession,
    case: ModerationCase,
    condition: ColumnElement[bool],
    status: str,
    refusal: Refusal,
) -> None:
    """Move the case to `status` (signed and dated) if `condition` still holds, else refuse."""
    values: dict[str, Any] = {
        "status": status,
        "reviewed_by": ms.actor_name,
        "reviewed_at": ms.now,
    }
    result = await ms.session.execute(
        update(ModerationCase)
        .where(ModerationCase.id == case.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        await ms.session.refresh(case)  # show who decided first
        raise CaseRefused(refusal, case)
    for name, value in values.items():
        set_committed_value(case, name, value)

"""Who is in each group as WAHA reports it: the bot's admin rights, and `@lid` ids' phones.

WhatsApp increasingly shows people as `…@lid` privacy ids. Their phone numbers come from group
rosters (`pn`, shown to admins), participant events and WAHA's lid table; they are kept here so
webhooks can be normalised without waiting on WAHA, and officials are known by their number.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from adapters.whatsapp.client import WahaClient, WahaError
from adapters.whatsapp.ids import clean_user_id, is_lid, phone_of
from adapters.whatsapp.normalise import ADMIN_ROLES, CHANNEL
from adapters.whatsapp.session import SessionWatch, TaskSet
from cassbot.adapter import MemberInfo
from cassbot.events import ChatRef, UserRef

logger = logging.getLogger(__name__)

_LID_RETRY_S = 3600.0  # how long an unmapped `@lid` is left alone before asking again


class Roster:
    def __init__(
        self,
        client: WahaClient,
        session: SessionWatch,
        *,
        admin_cache_s: float,
        tasks: TaskSet,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._session = session
        self._admin_cache_s = admin_cache_s
        self._tasks = tasks
        self._monotonic = monotonic
        self._admin: dict[str, tuple[bool, float]] = {}
        self.phones: dict[str, str] = {}  # `@lid` id -> E.164
        self._lid_tried: dict[str, float] = {}

    def note_bot_admin(self, chat_id: str, admin: bool) -> None:
        self._admin[chat_id] = (admin, self._monotonic())

    def learn_phone(self, user: UserRef) -> None:
        if not is_lid(user.user_id):
            return
        if user.phone:
            self.phones[user.user_id] = user.phone
        elif user.user_id not in self._lid_tried:
            # Look it up in the background so the webhook answers at once; the next event of
            # this person (and officials' exemption) will have the number.
            self._lid_tried[user.user_id] = self._monotonic()
            self._tasks.spawn(self.resolve_phone(user.user_id))

    async def resolve_phone(self, user_id: str) -> str | None:
        """E.164 phone of a WhatsApp id, asking WAHA's lid table for `@lid` ids."""
        if not is_lid(user_id):
            return phone_of(user_id)
        if user_id in self.phones:
            return self.phones[user_id]
        try:
            pn = await self._client.phone_for_lid(user_id)
        except WahaError as exc:
            logger.info(
                "could not map a lid to a phone", extra={"lid": user_id, "error": str(exc)}
            )
            return None
        self._lid_tried[user_id] = self._monotonic()
        phone = phone_of(pn)
        if phone:
            self.phones[user_id] = phone
        return phone

    async def members(self, chat: ChatRef) -> list[MemberInfo]:
        rows = await self._client.participants(chat.chat_id)
        members: list[MemberInfo] = []
        bot_admin = False
        for row in rows:
            role = row.get("role")
            user_id = clean_user_id(str(row.get("id") or ""))
            if not user_id or role == "left":
                continue
            phone = phone_of(row.get("pn")) or phone_of(user_id)
            if phone is None and is_lid(user_id):
                tried = self._lid_tried.get(user_id)
                if tried is None or self._monotonic() - tried > _LID_RETRY_S:
                    phone = await self.resolve_phone(user_id)
                else:
                    phone = self.phones.get(user_id)
            elif phone is not None and is_lid(user_id):
                self.phones[user_id] = phone
            is_bot = user_id in self._session.me_ids
            admin = role in ADMIN_ROLES
            bot_admin = bot_admin or (is_bot and admin)
            members.append(
                MemberInfo(
                    user=UserRef(channel=CHANNEL, user_id=user_id, phone=phone, is_bot=is_bot),
                    admin=admin,
                    superadmin=role == "superadmin",
                )
            )
        if self._session.me_ids:
            self.note_bot_admin(chat.chat_id, bot_admin)
        return members

    async def bot_is_admin(self, chat_id: str, *, fresh: bool = False) -> bool | None:
        """Whether the bot may moderate `chat_id` (None: cannot tell right now)."""
        cached = self._admin.get(chat_id)
        if cached and not fresh and self._monotonic() - cached[1] <= self._admin_cache_s:
            return cached[0]
        try:
            await self.members(ChatRef(channel=CHANNEL, chat_id=chat_id))
        except WahaError as exc:
            logger.info(
                "could not read a group's admins", extra={"chat": chat_id, "error": str(exc)}
            )
            return cached[0] if cached else None
        found = self._admin.get(chat_id)
        return found[0] if found else None

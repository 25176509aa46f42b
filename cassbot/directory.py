"""Who is who, from the configuration: communities and their groups, officials and their chats."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cassbot.events import ChatRef, UserRef
from cassbot.phones import normalise_phone
from cassbot.settings import CommunitySettings, GroupSettings, OfficialSettings, Settings


@dataclass(frozen=True, slots=True)
class GroupPlace:
    community: CommunitySettings
    group: GroupSettings

    @property
    def chat(self) -> ChatRef:
        return ChatRef(channel=self.group.channel, chat_id=self.group.chat_id)


class Directory:
    """Read-only lookups over the configured communities and officials."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._groups: dict[tuple[str, str], GroupPlace] = {}
        for community in settings.communities:
            for group in community.groups:
                self._groups[(group.channel, group.chat_id)] = GroupPlace(community, group)
        self._officials = list(settings.officials)
        self._by_phone = {
            phone: o
            for o in self._officials
            if o.whatsapp and (phone := normalise_phone(o.whatsapp)) is not None
        }

    @property
    def communities(self) -> list[CommunitySettings]:
        return list(self._settings.communities)

    @property
    def officials(self) -> list[OfficialSettings]:
        return list(self._officials)

    def community(self, community_id: str) -> CommunitySettings | None:
        return self._settings.community(community_id)

    def place(self, chat: ChatRef) -> GroupPlace | None:
        return self._groups.get((chat.channel, chat.chat_id))

    def groups(
        self, community_id: str | None = None, channel: str | None = None
    ) -> list[GroupPlace]:
        return [
            p
            for p in self._groups.values()
            if (community_id is None or p.community.id == community_id)
            and (channel is None or p.group.channel == channel)
        ]

    def official_for(self, user: UserRef) -> OfficialSettings | None:
        """The configured official behind a platform identity, if any."""
        if user.channel == "whatsapp":
            for candidate in (user.phone, user.user_id):
                phone = normalise_phone(candidate) if candidate else None
                if phone and phone in self._by_phone:
                    return self._by_phone[phone]
            return None
        for official in self._officials:
            if user.channel == "telegram" and official.telegram == user.user_id:
                return official
            if user.channel == "local" and official.persona_id == user.user_id:
                return official
        return None

    def officials_for(
        self,
        community_id: str | None = None,
        departments: Iterable[str] | None = None,
        roles: Iterable[str] | None = None,
    ) -> list[OfficialSettings]:
        wanted_departments = set(departments) if departments is not None else None
        wanted_roles = set(roles) if roles is not None else None
        return [
            o
            for o in self._officials
            if (community_id is None or o.covers(community_id))
            and (wanted_departments is None or o.department in wanted_departments)
            and (wanted_roles is None or o.role in wanted_roles)
        ]

    def identities_of(self, official: OfficialSettings) -> list[UserRef]:
        """The official's identities on each channel (private chats go to these)."""
        refs = [UserRef(channel="local", user_id=official.persona_id, display_name=official.name)]
        if official.whatsapp:
            phone = normalise_phone(official.whatsapp)
            user_id = official.whatsapp if "@" in official.whatsapp else None
            if user_id is None and phone:
                from cassbot.phones import whatsapp_id

                user_id = whatsapp_id(phone)
            if user_id:
                refs.append(
                    UserRef(
                        channel="whatsapp",
                        user_id=user_id,
                        display_name=official.name,
                        phone=phone,
                    )
                )
        if official.telegram:
            refs.append(
                UserRef(channel="telegram", user_id=official.telegram, display_name=official.name)
            )
        return refs

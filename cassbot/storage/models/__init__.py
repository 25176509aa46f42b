"""All models, imported here so `Base.metadata` is complete for migrations and checks."""

from cassbot.storage.models.audit import AuditEntry
from cassbot.storage.models.base import Base, utcnow
from cassbot.storage.models.community import (
    Community,
    CommunityBan,
    Group,
    Identity,
    Membership,
    Person,
)
from cassbot.storage.models.flow import AdapterState, InboundEvent, OutboxAction
from cassbot.storage.models.moderation import ModerationCase, PointsRecord, RecentMessage
from cassbot.storage.models.playground import PlaygroundEntry, PlaygroundMember
from cassbot.storage.models.registration import (
    Admission,
    Appeal,
    FeedbackItem,
    FolioCounter,
    MemberReview,
    PanelSession,
    PanelUser,
    RateCounter,
    RegistrationRequest,
)
from cassbot.storage.models.tickets import (
    Announcement,
    AnnouncementDelivery,
    Ticket,
    TicketEvent,
    TicketFolioCounter,
    TicketMessage,
    TicketSubscriber,
)
from cassbot.storage.models.timers import Timer

__all__ = [
    "AdapterState",
    "Admission",
    "Announcement",
    "AnnouncementDelivery",
    "Appeal",
    "AuditEntry",
    "Base",
    "Community",
    "CommunityBan",
    "FeedbackItem",
    "FolioCounter",
    "Group",
    "Identity",
    "InboundEvent",
    "MemberReview",
    "Membership",
    "ModerationCase",
    "OutboxAction",
    "PanelSession",
    "PanelUser",
    "Person",
    "PlaygroundEntry",
    "PlaygroundMember",
    "PointsRecord",
    "RateCounter",
    "RecentMessage",
    "RegistrationRequest",
    "Ticket",
    "TicketEvent",
    "TicketFolioCounter",
    "TicketMessage",
    "TicketSubscriber",
    "Timer",
    "utcnow",
]

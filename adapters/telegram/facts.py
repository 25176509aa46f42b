"""The screening-friendly digest of a Telegram message: links, mentions, media, forwarding."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from telegram import Message, MessageEntity
from telegram.warnings import PTBDeprecationWarning

from cassbot.events import Attachment, MessageFacts


def message_facts(message: Message) -> MessageFacts:
    """Links, mentions, attachments and forwarding of a message, from Telegram's own markup."""
    entities: dict[MessageEntity, str] = {}
    if message.text:
        entities.update(message.parse_entities())
    if message.caption:
        entities.update(message.parse_caption_entities())
    links: list[str] = []
    mentions: list[str] = []
    for entity, text in entities.items():
        if entity.type == MessageEntity.URL:
            links.append(text)
        elif entity.type == MessageEntity.TEXT_LINK and entity.url:
            links.append(entity.url)
        elif entity.type == MessageEntity.MENTION:
            mentions.append(text)  # "@username": Telegram gives no id for these
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
            mentions.append(str(entity.user.id))
    return MessageFacts(
        links=_unique(links),
        mentions=_unique(mentions),
        attachments=tuple(_attachments(message)),
        forwarded=message.forward_origin is not None or bool(message.is_automatic_forward),
    )


def _attachments(message: Message) -> list[Attachment]:
    found: list[Attachment] = []
    if message.voice:
        v = message.voice
        found.append(
            Attachment(
                kind="voice",
                mime_type=v.mime_type,
                size=v.file_size,
                duration_s=_duration(v),
            )
        )
    if message.audio:
        a = message.audio
        found.append(
            Attachment(
                kind="audio",
                mime_type=a.mime_type,
                size=a.file_size,
                file_name=a.file_name,
                duration_s=_duration(a),
            )
        )
    if message.photo:
        largest = max(message.photo, key=lambda p: p.width * p.height)
        found.append(Attachment(kind="image", mime_type="image/jpeg", size=largest.file_size))
    for video in (message.video, message.video_note, message.animation):
        if video is not None:
            found.append(
                Attachment(
                    kind="video",
                    mime_type=getattr(video, "mime_type", None),
                    size=video.file_size,
                    duration_s=_duration(video),
                )
            )
    if message.document and not message.animation:  # an animation also fills `document`
        d = message.document
        found.append(
            Attachment(
                kind="document", mime_type=d.mime_type, size=d.file_size, file_name=d.file_name
            )
        )
    if message.sticker:
        found.append(Attachment(kind="sticker", size=message.sticker.file_size))
    if message.venue:
        venue = message.venue
        place = ", ".join(p for p in (venue.title, venue.address) if p)
        found.append(
            Attachment(
                kind="location",
                latitude=venue.location.latitude,
                longitude=venue.location.longitude,
                place=place,
            )
        )
    elif message.location:
        loc = message.location
        found.append(Attachment(kind="location", latitude=loc.latitude, longitude=loc.longitude))
    if message.contact:
        found.append(Attachment(kind="contact"))
    if not found and (message.poll or message.dice or message.game or message.story):
        found.append(Attachment(kind="other"))
    return found


def _duration(media: Any) -> float | None:
    """A media's length in seconds (PTB 22 warns that it will become a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = getattr(media, "duration", None)
    if value is None:
        return None
    if hasattr(value, "total_seconds"):
        return float(value.total_seconds())
    return float(value)


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))

"""What a WAHA message is (text, voice note, image, place…) and what it carries, per engine.

WAHA normalises ids, body and media, but not the message kind, forwarding or mentions: those
live in `_data`, the raw engine payload, which differs between WEBJS/WPP (`type`, flat flags),
NOWEB (Baileys `message.<kind>Message`) and GOWS (whatsmeow `Info` + `Message`). Each reader
below tries the engines in turn and falls back to the media mimetype.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cassbot.events import Attachment, AttachmentKind, MessageFacts

# WhatsApp marks a message "forwarded many times" from a forwarding score of 5.
FORWARDED_MANY_SCORE = 5

_LINK = re.compile(
    r"(?:https?://|www\.|\b(?:chat\.whatsapp\.com|wa\.me|t\.me|bit\.ly)/)[^\s<>\"']+", re.I
)
_WEBJS_KINDS: dict[str, AttachmentKind] = {
    "ptt": "voice",
    "audio": "audio",
    "image": "image",
    "video": "video",
    "gif": "video",
    "document": "document",
    "sticker": "sticker",
    "location": "location",
    "vcard": "contact",
    "multi_vcard": "contact",
}
_GOWS_MEDIA_KINDS: dict[str, AttachmentKind] = {
    "ptt": "voice",
    "audio": "audio",
    "image": "image",
    "video": "video",
    "gif": "video",
    "document": "document",
    "sticker": "sticker",
}
# Inner message names used by Baileys (NOWEB) and whatsmeow (GOWS) alike.
_INNER_KINDS: dict[str, AttachmentKind] = {
    "imagemessage": "image",
    "videomessage": "video",
    "documentmessage": "document",
    "documentwithcaptionmessage": "document",
    "stickermessage": "sticker",
    "locationmessage": "location",
    "livelocationmessage": "location",
    "contactmessage": "contact",
    "contactsarraymessage": "contact",
}


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _get(data: Any, *names: str) -> Any:
    """A key of a mapping whatever its case (engines disagree: `PTT` vs `ptt`)."""
    if not isinstance(data, Mapping):
        return None
    for name in names:
        if name in data:
            return data[name]
    lowered = {str(k).lower(): v for k, v in data.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _inner_messages(raw: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(name, body) of each `…Message` inside a NOWEB or GOWS raw message."""
    container = _get(raw, "Message", "message")
    if not isinstance(container, Mapping):
        return
    for name, body in container.items():
        if isinstance(body, Mapping) and str(name).lower().endswith("message"):
            yield str(name).lower(), body


def _context_infos(raw: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for _, body in _inner_messages(raw):
        info = _get(body, "contextInfo")
        if isinstance(info, Mapping):
            yield info


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def message_kind(payload: Mapping[str, Any]) -> AttachmentKind | None:
    """The attachment kind of a message; None for plain text."""
    raw = mapping(payload.get("_data"))
    webjs_type = raw.get("type") if isinstance(raw.get("type"), str) else None
    if webjs_type in _WEBJS_KINDS:
        return _WEBJS_KINDS[webjs_type]
    if webjs_type == "chat":
        return None
    gows_media = _get(_get(raw, "Info"), "MediaType")
    if isinstance(gows_media, str) and gows_media.lower() in _GOWS_MEDIA_KINDS:
        return _GOWS_MEDIA_KINDS[gows_media.lower()]
    for name, body in _inner_messages(raw):
        if name == "audiomessage":
            return "voice" if _get(body, "PTT", "ptt") is True else "audio"
        if name in _INNER_KINDS:
            return _INNER_KINDS[name]
    if isinstance(payload.get("location"), Mapping):
        return "location"
    if payload.get("vCards"):
        return "contact"
    if payload.get("hasMedia"):
        return _kind_from_mimetype(_media(payload).get("mimetype"))
    return None


def _kind_from_mimetype(mimetype: Any) -> AttachmentKind:
    text = mimetype.lower() if isinstance(mimetype, str) else ""
    if text.startswith("audio/ogg") and "opus" in text:
        return "voice"  # WhatsApp records voice notes as Opus in Ogg
    for prefix, kind in (("audio/", "audio"), ("image/", "image"), ("video/", "video")):
        if text.startswith(prefix):
            return kind  # type: ignore[return-value]
    return "document" if text else "other"


def _media(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    media = payload.get("media")
    return media if isinstance(media, Mapping) else {}


def _media_body(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    for name, body in _inner_messages(raw):
        if name in ("audiomessage", *_INNER_KINDS):
            return body
    return {}


def attachment(payload: Mapping[str, Any], kind: AttachmentKind) -> Attachment:
    raw = mapping(payload.get("_data"))
    media = _media(payload)
    inner = _media_body(raw)
    error: str | None = None
    if media.get("error"):
        error = str(media["error"])[:500]
    elif payload.get("hasMedia") and not media.get("url"):
        error = "media not downloaded by the gateway"
    size = _number(_get(inner, "fileLength")) or _number(raw.get("size"))
    duration = _number(_get(inner, "seconds")) or _number(raw.get("duration"))
    latitude = longitude = None
    place = None
    if kind == "location":
        location = mapping(payload.get("location"))
        latitude = _number(location.get("latitude")) or _number(_get(inner, "degreesLatitude"))
        longitude = _number(location.get("longitude")) or _number(_get(inner, "degreesLongitude"))
        place = location.get("name") or location.get("address") or _get(inner, "name", "address")
        error = None  # a place has no media to download
    mimetype = media.get("mimetype") or _get(inner, "mimetype")
    return Attachment(
        kind=kind,
        mime_type=mimetype if isinstance(mimetype, str) else None,
        url=media.get("url") if isinstance(media.get("url"), str) else None,
        file_name=(media.get("filename") or _get(inner, "fileName") or None),
        size=int(size) if size is not None else None,
        duration_s=duration,
        latitude=latitude,
        longitude=longitude,
        place=place if isinstance(place, str) else None,
        error=error,
    )


def forwarding(payload: Mapping[str, Any]) -> tuple[bool, bool]:
    """(forwarded, forwarded many times)."""
    raw = mapping(payload.get("_data"))
    flags = [raw, *_context_infos(raw)]
    forwarded = any(_get(f, "isForwarded") is True for f in flags)
    scores = [_number(_get(f, "forwardingScore")) or 0.0 for f in flags]
    many = any(_get(f, "isFrequentlyForwarded") is True for f in flags) or any(
        s >= FORWARDED_MANY_SCORE for s in scores
    )
    return forwarded or many or any(s > 0 for s in scores), many


def mentions(payload: Mapping[str, Any]) -> tuple[str, ...]:
    raw = mapping(payload.get("_data"))
    found: list[str] = []
    for source in (raw, *_context_infos(raw)):
        value = _get(source, "mentionedJid", "mentionedJID", "mentionedJidList", "mentionedIds")
        if isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
            found += [
                v["_serialized"]
                for v in value
                if isinstance(v, Mapping) and isinstance(v.get("_serialized"), str)
            ]
    return tuple(dict.fromkeys(found))


def message_facts(payload: Mapping[str, Any]) -> MessageFacts:
    body = payload.get("body")
    body = body if isinstance(body, str) else ""
    kind = message_kind(payload)
    forwarded, many = forwarding(payload)
    return MessageFacts(
        links=tuple(_LINK.findall(body)),
        mentions=mentions(payload),
        attachments=(attachment(payload, kind),) if kind else (),
        forwarded=forwarded,
        forwarded_many=many,
    )

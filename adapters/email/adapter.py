"""Outgoing e-mail through SMTP (aiosmtplib), as an outbox channel like any other.

The Message-ID derives from the action's idempotency key, so a retry after an unrecorded
success carries the same id and mail systems can recognise the repeat.
"""

from __future__ import annotations

import hashlib
import logging
from email.message import EmailMessage
from email.utils import formataddr, formatdate

import aiosmtplib

from cassbot.actions import Action, ActionResult, SendEmail
from cassbot.adapter import Adapter, Capability
from cassbot.settings import EmailAdapterSettings

logger = logging.getLogger(__name__)


class EmailAdapter(Adapter):
    name = "email"
    capabilities = frozenset({Capability.SEND_EMAIL})

    def __init__(self, settings: EmailAdapterSettings) -> None:
        self._settings = settings

    def build_message(self, action: SendEmail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self._settings.from_name, self._settings.from_address))
        message["To"] = ", ".join(action.to)
        message["Subject"] = action.subject
        message["Date"] = formatdate(localtime=False)
        domain = self._settings.from_address.rpartition("@")[2] or "localhost"
        digest = hashlib.sha256(action.idempotency_key.encode()).hexdigest()[:32]
        message["Message-ID"] = f"<{digest}@{domain}>"
        message.set_content(action.body)
        return message

    async def execute(self, action: Action) -> ActionResult:
        if not isinstance(action, SendEmail):
            return ActionResult(status="unsupported", detail=f"email cannot {action.kind}")
        settings = self._settings
        try:
            errors, response = await aiosmtplib.send(
                self.build_message(action),
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password.get_secret_value() if settings.password else None,
                use_tls=settings.security == "tls",
                start_tls=settings.security == "starttls",
                timeout=settings.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return ActionResult(status="permanent_error", detail=f"recipients refused: {exc}")
        except aiosmtplib.SMTPAuthenticationError as exc:
            return ActionResult(status="forbidden", detail=f"SMTP login refused: {exc.message}")
        except aiosmtplib.SMTPResponseException as exc:
            status = "transient_error" if 400 <= exc.code < 500 else "permanent_error"
            return ActionResult(status=status, detail=f"SMTP {exc.code}: {exc.message}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            return ActionResult(status="transient_error", detail=f"{type(exc).__name__}: {exc}")
        if errors:  # some recipients refused, others accepted
            logger.warning("some recipients refused", extra={"refused": ",".join(errors)})
        return ActionResult.success(detail=response)

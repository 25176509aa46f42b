"""The e-mail channel: outgoing mail through SMTP (notifications to officials and mailboxes)."""

from adapters.email.adapter import EmailAdapter

__all__ = ["EmailAdapter"]

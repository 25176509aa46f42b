"""The local channel: the playground's simulated group chats, served in the browser."""

from adapters.local.adapter import LocalAdapter

__all__ = ["LocalAdapter"]

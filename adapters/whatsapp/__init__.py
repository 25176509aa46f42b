"""The WhatsApp channel, through a WAHA gateway (https://waha.devlike.pro)."""

from adapters.whatsapp.adapter import WhatsAppAdapter
from adapters.whatsapp.install import install_whatsapp

__all__ = ["WhatsAppAdapter", "install_whatsapp"]

"""Channel adapters for cassbot: one subpackage per channel (local, whatsapp, telegram)."""

"""Screening engine, moderation policy and moderation commands (pure: no I/O)."""

"""Persistence: the async database facade, models, repositories and Alembic migrations."""

"""Alembic environment: run with the connection briefbot hands over (see storage.db.upgrade)."""

from __future__ import annotations

from alembic import context

from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - briefbot always passes its connection
    raise RuntimeError("run migrations through briefbot (briefbot db upgrade)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

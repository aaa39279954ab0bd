"""Alembic environment: always run on a connection handed over by :mod:`shelfcheck.ledger.db`."""

from __future__ import annotations

from alembic import context

from shelfcheck.ledger.migrations import VERSION_TABLE
from shelfcheck.ledger.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("the ledger runs its migrations itself: open it with shelfcheck.ledger.open_ledger "
                       "or use `python -m shelfcheck.ledger.migrations`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

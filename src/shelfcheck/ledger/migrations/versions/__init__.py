"""Migration revisions of the ledger, oldest first (alembic skips this file)."""

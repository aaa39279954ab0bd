"""The ledger's migration chain (alembic), run programmatically when a ledger is opened.

Nothing here is run by hand: :func:`shelfcheck.ledger.open_ledger` upgrades the database to the
newest revision the first time a newer shelfcheck opens it (under a lock: ``BEGIN IMMEDIATE`` on
SQLite, an advisory lock on PostgreSQL, so two processes opening a fresh database at once do
not both create the tables). The version is kept in the table ``shelfcheck_alembic_version``, so
a PostgreSQL database shared with another alembic-managed application is not confused.

Adding tables (issue 6: OAuth tokens, encrypted at rest; webhook notifications)
-------------------------------------------------------------------------------

1. Declare the models on :class:`shelfcheck.ledger.models.Base` in your own module (as
   ``shelfcheck/ledger/api_tables.py`` does) so they share the one ``MetaData``, and import
   that module at the top of your revision file: alembic loads every revision before it
   upgrades, so the model/migration comparison test sees your tables too.
2. Add a revision file in ``versions/``, named ``NNNN_what.py``, whose ``down_revision`` is the
   current head (``python -m shelfcheck.ledger.migrations heads`` prints it; set :data:`HEAD`
   to your revision), with explicit
   ``op.create_table`` calls — never ``Base.metadata.create_all``. Revision ids may be up to
   128 characters (the version table is created wider than alembic's default 32). Generate a starting point
   with ``python -m shelfcheck.ledger.migrations revision -m "tokens" --autogenerate --db URL``
   against a database at the current head, then edit it.
3. Keep revisions portable: the same script runs on SQLite (batch mode is on for ALTERs) and
   PostgreSQL; store secrets only as ciphertext (``LargeBinary``), never in a column a report or
   log prints.
4. Run ``pytest tests/test_ledger_db.py``: it upgrades an empty SQLite and PostgreSQL database
   and fails when the models and the migrations disagree.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["HEAD", "SCRIPT_LOCATION", "VERSION_TABLE"]

SCRIPT_LOCATION = str(Path(__file__).resolve().parent)
VERSION_TABLE = "shelfcheck_alembic_version"
# The newest revision in versions/ (a test compares it with alembic's view): a database that
# records it is opened with one query, without loading alembic. Update it with every revision.
HEAD = "0100_api_tokens_webhooks_products"

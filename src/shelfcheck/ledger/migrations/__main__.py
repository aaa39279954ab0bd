"""Developer commands for the ledger's migration chain (not part of the user's CLI).

```
python -m shelfcheck.ledger.migrations heads                          # the newest revision id(s)
python -m shelfcheck.ledger.migrations current --db URL               # where a database is
python -m shelfcheck.ledger.migrations revision -m "what" [--autogenerate --db URL]
```

``revision --autogenerate`` compares the models with a database at the current head and writes a
starting point into ``versions/``; review and edit it before committing.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from alembic import command
    from alembic.script import ScriptDirectory

    from shelfcheck.ledger.db import alembic_config, create_ledger_engine, current_revision, migrate, resolve_url

    parser = argparse.ArgumentParser(prog="python -m shelfcheck.ledger.migrations")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("heads")
    current = sub.add_parser("current")
    current.add_argument("--db")
    revision = sub.add_parser("revision")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--autogenerate", action="store_true")
    revision.add_argument("--db")
    args = parser.parse_args(argv)
    if args.command == "heads":
        print("\n".join(ScriptDirectory.from_config(alembic_config()).get_heads()))
        return 0
    engine = create_ledger_engine(resolve_url(args.db))
    try:
        if args.command == "current":
            print(current_revision(engine) or "(empty)")
            return 0
        config = alembic_config()
        if args.autogenerate:
            migrate(engine)
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                command.revision(config, message=args.message, autogenerate=True)
        else:
            command.revision(config, message=args.message)
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

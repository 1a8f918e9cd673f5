"""``quarantine-checker-service``: serve, migrate, check, setup-guide.

Exit codes: 0 fine, 1 a check failed or the service could not start, 2 bad usage or configuration.
Failures are printed in plain words for IT; no tracebacks.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from quarantine_service import __version__
from quarantine_service.config import ConfigError, load


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quarantine-checker-service",
                                     description="The Quarantine Checker organisation service.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--config", help="the service's config file (default: $QC_SERVICE_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the API and the sweep until interrupted")
    sub.add_parser("migrate", help="create or update the database schema")
    check = sub.add_parser("check", help="prove the set-up: certificate, token, role, cmdlets, policies, "
                                         "database")
    check.add_argument("--json", action="store_true", help="print the results as JSON")
    sub.add_parser("setup-guide", help="print the Entra and Exchange set-up steps with this tenant's values")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    try:
        config = load(args.config)
    except ConfigError as exc:
        print(f"The configuration cannot be used: {exc.key} {exc.text}.", file=sys.stderr)
        return 2
    if args.command == "migrate":
        from quarantine_service.store.db import Database, migrate

        db = Database(config.database_url)
        try:
            before, after = migrate(db.engine)
        except Exception as exc:  # plain words, no traceback
            print(f"The database could not be migrated ({type(exc).__name__}). Check database_url and "
                  "that this account may write to the database.", file=sys.stderr)
            return 1
        finally:
            db.dispose()
        print(f"Database schema: {before or 'empty'} -> {after}")
        return 0
    if args.command == "check":
        from quarantine_service.check import print_results, run_checks

        results = run_checks(config)
        print_results(results, as_json=args.json)
        return 0 if all(r.ok for r in results) else 1
    if args.command == "setup-guide":
        from quarantine_service.setup_guide import guide

        print(guide(config))
        return 0
    from quarantine_service.server import serve
    from quarantine_service.service import Service
    from quarantine_service.store.db import SchemaError

    try:
        service = Service(config)
    except SchemaError as exc:
        print(exc.text, file=sys.stderr)
        return 1
    serve(service)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The command line (minimal for now): ``quarantine-checker demo-server``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quarantine-checker", description="See and release your own quarantined Microsoft 365 mail."
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo-server", help="run the local demo tenant until interrupted")
    demo.add_argument("--no-seed", action="store_true", help="start with an empty quarantine")
    demo.add_argument(
        "--release-delay",
        type=float,
        default=1.0,
        help="seconds a release stays 'preparing' before it is released (default 1)",
    )
    demo.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        metavar="PER_SECOND",
        help="answer 429 above this many Exchange requests per second",
    )
    return parser


def _demo_server(args: argparse.Namespace) -> int:
    from quarantine_checker.demo.tenant import DemoTenant

    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    with DemoTenant(
        seed=not args.no_seed, release_delay=args.release_delay, rate_limit_per_second=args.rate_limit
    ) as tenant:
        print(json.dumps(tenant.describe()), flush=True)
        while not stop.wait(0.5):
            pass
    return 0


def main(argv: list[str]) -> int:
    parser = _parser()
    known = {"demo-server"}
    if not argv or (argv[0] not in known and not argv[0].startswith("-")):
        print("not built yet", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if args.command == "demo-server":
        return _demo_server(args)
    print("not built yet", file=sys.stderr)
    return 2

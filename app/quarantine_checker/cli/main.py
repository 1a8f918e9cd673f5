"""``quarantine-checker``: the GUI without a subcommand, otherwise the command line (no Qt imported).

See docs/cli.md for every command, the ``--json`` schema and the exit codes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exit_codes import ExitCode

if TYPE_CHECKING:  # imported for real inside the commands that need it (MSAL, requests: slow to load)
    from quarantine_checker.demo.tenant import DemoTenant
    from quarantine_checker.wiring import Services
    from quarantine_service.server import BackgroundServer

ACCOUNT_COMMANDS = {"sign-in", "whoami", "sign-out"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quarantine-checker",
        description="See and release your own quarantined Microsoft 365 mail. Without a command, opens "
        "the app window.",
        epilog="Exit codes: 0 done / nothing held, 3 messages held (list), 4 sign-in needed or failed, "
        "5 Microsoft 365 refused, 6 network or service trouble, 7 setup problem, 2 usage. See docs/cli.md.",
    )
    parser.add_argument("--demo", action="store_true",
                        help="use a demo tenant started inside this process (nothing real is touched)")
    parser.add_argument("--json", action="store_true", help="machine-readable output (see docs/cli.md)")
    parser.add_argument("--verbose", action="store_true", help="log to the terminal (never tokens or mail)")
    parser.add_argument("--minimized", action="store_true",
                        help="start in the system tray without opening the window (used by start at login)")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation can run here (window, tray, keyring, settings), "
                        "print the result as JSON and exit 0 only if everything is usable")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return p

    p = add("sign-in", "sign in with your work account (browser, or a code with --device-code)")
    p.add_argument("--device-code", action="store_true",
                   help="sign in on another device with a short code (for machines without a browser)")
    p.add_argument("--user", metavar="UPN", help="the account to sign in with (pre-fills the sign-in page)")
    p.add_argument("--switch", action="store_true", help="choose a different account")
    p.add_argument("--timeout", type=float, default=300, help="seconds to wait for the browser (default 300)")
    add("whoami", "show who is signed in")
    add("sign-out", "sign out and remove the saved sign-in from this computer")
    add("list", "list your quarantined messages")
    p = add("show", "show one message's details and what you can do with it")
    p.add_argument("id", metavar="ID", help="message ID (or its first characters, as shown by 'list')")
    p = add("release", "release messages to your inbox")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--report-not-junk", action="store_true",
                   help="also tell Microsoft the message was not junk")
    p.add_argument("--yes", action="store_true",
                   help="release even when the sender checks couldn't confirm who sent it")
    p = add("request-release", "ask IT to release messages you can't release yourself")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--note", default="", metavar="TEXT",
                   help="a note for IT (through your organisation's service only)")
    p = add("preview", "show a message's text (links are not opened)")
    p.add_argument("id", metavar="ID")
    p = add("headers", "show a message's headers (for IT)")
    p.add_argument("id", metavar="ID")
    add("history", "your past held mail and what became of it (from your organisation's service)")
    p = add("delete", "delete messages from quarantine for good")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--yes", action="store_true", help="don't ask for confirmation")

    demo = sub.add_parser("demo-server", help="run the local demo tenant until interrupted")
    demo.add_argument("--no-seed", action="store_true", help="start with an empty quarantine")
    demo.add_argument("--release-delay", type=float, default=1.0,
                      help="seconds a release stays 'preparing' before it is released (default 1)")
    demo.add_argument("--rate-limit", type=float, default=None, metavar="PER_SECOND",
                      help="answer 429 above this many Exchange requests per second")
    demo.add_argument("--end-user-cmdlets", choices=("denied", "allowed"), default="denied",
                      help="whether users without an admin role may run the quarantine cmdlets "
                      "(default denied: they get HTTP 401, as probably in most real organisations)")
    return parser


def _demo_server(args: argparse.Namespace) -> int:
    from quarantine_checker.demo.tenant import DemoTenant

    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    with DemoTenant(
        seed=not args.no_seed,
        release_delay=args.release_delay,
        rate_limit_per_second=args.rate_limit,
        end_user_cmdlets=args.end_user_cmdlets,
    ) as tenant:
        service = _start_demo_service(tenant)
        try:
            print(json.dumps({**tenant.describe(), "service_url": service.url if service else None,
                              "service_config": str(service.config_file) if service else None}), flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            if service is not None:
                service.stop()
    return 0


def _start_demo_service(tenant: DemoTenant) -> BackgroundServer | None:
    """The organisation service beside the demo tenant (SQLite in a temp folder, a sweep every 5 s).

    Only where the service is installed (the [service] extra); the desktop installers leave it out,
    and then ``service_url`` is null.
    """
    try:
        from quarantine_service import demo as service_demo
    except ImportError:
        return None
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="qc-demo-service-"))
    return service_demo.attach(tenant, folder, sweep_interval=5.0)


def _services(args: argparse.Namespace) -> Services:
    from quarantine_checker import wiring

    if args.demo:
        return wiring.build_demo_services()
    from quarantine_checker.config import load_config

    return wiring.build_services(load_config())


def _setup_logging(verbose: bool, *, gui: bool = False) -> None:
    from quarantine_checker import paths
    from quarantine_checker.logging_setup import CLI_LOG_FILE_NAME, LOG_FILE_NAME, setup_logging

    try:
        setup_logging(paths.log_dir(), level="DEBUG" if verbose else "INFO", console=verbose,
                      file_name=LOG_FILE_NAME if gui else CLI_LOG_FILE_NAME)
    except OSError:  # an unwritable log dir must not stop a helpdesk command
        logging.basicConfig(level=logging.WARNING)


def _parent_wam_to_the_console(services: Services) -> None:
    """The command line's Windows sign-in window belongs to the console it was typed in."""
    from quarantine_checker.auth.broker import CONSOLE_WINDOW

    auth = getattr(services, "auth", None)
    if auth is not None:
        auth.parent_window_handle = CONSOLE_WINDOW


def _gui(args: argparse.Namespace) -> int:
    from quarantine_checker.ui.app import ensure_application, run_gui  # the only Qt import, only here

    ensure_application()
    # Already running? run_gui takes the single-instance lock first; if another launch holds it, that
    # one brings its window forward and this one exits before any checker or demo tenant is started.
    # The services (MSAL, requests, the keyring self-test, the demo tenant) are built on the window's
    # background helper once the window is on screen; the session flow then signs in there too. The UI
    # thread never waits for the keyring or the identity provider.
    # The log file too: its set-up (logging.handlers, the redaction patterns) is ~10 ms nothing before
    # the first paint needs; it runs on the UI thread after the paint, before the services are built.
    return run_gui(lambda: _services(args), minimized=args.minimized, demo=args.demo,
                   prepare=lambda: _setup_logging(args.verbose, gui=True))


def _run(args: argparse.Namespace) -> int:
    from . import commands
    from .commands import Context

    json_out = bool(getattr(args, "json", False))
    services = None
    ctx: Context | None = None
    try:
        services = _services(args)
        _parent_wam_to_the_console(services)
        ctx = Context(services, json_out=json_out)
        c = args.command
        if c == "sign-in":
            return commands.sign_in(ctx, device_code=args.device_code, user=args.user, switch=args.switch,
                                    timeout=args.timeout)
        if c == "whoami":
            return commands.whoami(ctx)
        if c == "sign-out":
            return commands.sign_out(ctx)
        if c == "list":
            return commands.list_messages(ctx)
        if c == "show":
            return commands.show(ctx, args.id)
        if c == "release":
            return commands.release(ctx, args.ids, report=args.report_not_junk, yes=args.yes,
                                    ask=input if sys.stdin.isatty() else None)
        if c == "request-release":
            return commands.request_release(ctx, args.ids, note=args.note)
        if c == "preview":
            return commands.preview(ctx, args.id)
        if c == "headers":
            return commands.headers(ctx, args.id)
        if c == "history":
            return commands.history(ctx)
        if c == "delete":
            if not args.yes:
                if not sys.stdin.isatty():
                    sys.stderr.write("delete needs --yes when not run from a terminal.\n")
                    return ExitCode.USAGE
                answer = input(f"Delete {len(args.ids)} message(s) for good? [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    return ExitCode.OK
            return commands.delete(ctx, args.ids)
        return ExitCode.USAGE
    except commands.UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return ExitCode.USAGE
    except KeyboardInterrupt:
        sys.stderr.write("Stopped.\n")
        return ExitCode.AUTH if args.command == "sign-in" else ExitCode.INTERNAL
    except BrokenPipeError:
        # The reader went away (`… | head`): no error to report. Point stdout at /dev/null so the
        # interpreter's final flush doesn't complain either; 141 is what a shell shows for SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PIPE_CLOSED
    except Exception as exc:  # every error gets plain words and a documented exit code, never a traceback
        from quarantine_checker.core.errors import QuarantineCheckerError

        if not isinstance(exc, QuarantineCheckerError):
            _log_unexpected(exc, args.command)
        if ctx is None:
            ctx = Context.__new__(Context)
            ctx.json, ctx.out, ctx.err = json_out, sys.stdout, sys.stderr
        return commands.report_error(ctx, exc, action=_action_for(args.command))
    finally:
        if services is not None:
            services.close()


PIPE_CLOSED = 141


def _log_unexpected(exc: BaseException, command: str | None) -> None:
    """Class and code locations only: an unexpected exception's message (and so a traceback) may quote
    a subject, an address or a server reply, and the log file and --verbose must never carry mail."""
    tb = traceback.extract_tb(exc.__traceback__)
    frames = [f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in tb]
    log = logging.getLogger(__name__)
    log.error("unexpected %s in %s at %s", type(exc).__name__, command, frames[-1] if frames else "?")
    log.debug("call stack: %s", " <- ".join(reversed(frames)))


def _action_for(command: str | None) -> str | None:
    return {"sign-in": "sign_in", "list": "refresh", "release": "release",
            "request-release": "request_release", "delete": "delete", "preview": "preview",
            "headers": "view_headers", "history": "refresh"}.get(command or "")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.self_test:
        from quarantine_checker import self_test

        return self_test.run(demo=args.demo)
    if args.command == "demo-server":
        return _demo_server(args)
    if args.command is None:
        return _gui(args)
    _setup_logging(args.verbose)
    _tolerant_streams()
    return int(_run(args))


def _tolerant_streams() -> None:
    """A terminal or pipe whose encoding lacks a character ("⚠" on a cp1252 pipe) shows "?" instead of
    stopping the listing half-way: output.clean has already made the text safe, this makes it writable."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a detached or closed stream: leave it be
                reconfigure(errors="replace")

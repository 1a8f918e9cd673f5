"""Entry point: ``quarantine-checker`` and ``python -m quarantine_checker``.

On Windows the installed ``quarantine-checker.exe`` is windowed: it has no console, so ``sys.stdout``
and ``sys.stderr`` are None and cmd does not wait for it. Commands belong to the console executable
beside it (``quarantine-checker-cli.exe``); if one is run through the windowed exe anyway, its output
goes nowhere instead of raising, and the exit code still reaches whoever waits for it.
"""

from __future__ import annotations

import os
import sys


def _no_console_streams() -> None:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the process


def main(argv: list[str] | None = None) -> int:
    _no_console_streams()
    from quarantine_checker.cli.main import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())

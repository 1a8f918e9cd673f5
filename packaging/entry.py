"""The script PyInstaller freezes: the same entry point as ``quarantine-checker`` from pip."""

from __future__ import annotations

import sys

from quarantine_checker.__main__ import main

if __name__ == "__main__":
    sys.exit(main())

"""Where the service lives (issue item 1): it shares only the desktop's ``core`` and ``exchange``
packages, and the desktop app reaches it only from the demo (demo-server, the demo organisation)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
SHARED = ("quarantine_checker.core", "quarantine_checker.exchange")


def _imports(package: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(APP))] = names
    return found


def test_the_service_imports_only_core_and_exchange_from_the_desktop_package() -> None:
    wrong = {f: sorted(m for m in mods if m.startswith("quarantine_checker") and not m.startswith(SHARED))
             for f, mods in _imports(APP / "quarantine_service").items()}
    assert {f: m for f, m in wrong.items() if m} == {}


def test_the_desktop_imports_the_service_only_for_the_demo_server() -> None:
    users = {f for f, mods in _imports(APP / "quarantine_checker").items()
             if any(m.startswith("quarantine_service") for m in mods)}
    # demo-server, and the in-process demo organisation (``make demo``), which imports it only when the
    # service is installed (the desktop installers leave it out: the demo then takes the direct road).
    assert users == {"quarantine_checker/cli/main.py", "quarantine_checker/demo/organisation.py"}

"""The desktop installers never contain the organisation service or anything only it needs.

The desktop bundle is built by packaging/quarantine-checker.spec with ``slim.ANALYSIS_OPTIONS``; its
``excludes`` must name the service package and every module that only the ``[service]`` extra brings
in. The list is derived here from the installed distributions' metadata, so a new service dependency
that is not excluded fails this test.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import slim  # noqa: E402

# Generic enough that the desktop's own dependencies may import it on some platform or version.
SHARED_ANYWAY = {"typing-extensions"}


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(names: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if _key(name) in seen:
            continue
        seen.add(_key(name))
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def _names(requirements: list[str]) -> list[str]:
    return [Requirement(r).name for r in requirements]


def test_the_desktop_spec_excludes_the_service_and_its_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    desktop = _closure(_names(project["dependencies"]))
    service = _closure(_names(project["optional-dependencies"]["service"]))
    only_service = service - desktop - SHARED_ANYWAY
    assert {"fastapi", "sqlalchemy", "uvicorn", "alembic"} <= only_service

    modules: dict[str, list[str]] = {}
    for module, dists in md.packages_distributions().items():
        for dist in dists:
            modules.setdefault(_key(dist), []).append(module)
    excluded = set(slim.ANALYSIS_OPTIONS["excludes"])
    missing = sorted(m for dist in only_service for m in modules.get(dist, []) if m not in excluded)
    assert missing == [], f"add to packaging/slim.py EXCLUDED_MODULES: {missing}"
    assert "quarantine_service" in excluded

    spec = (ROOT / "packaging" / "quarantine-checker.spec").read_text(encoding="utf-8")
    assert "**slim.ANALYSIS_OPTIONS" in spec  # the app's Analysis uses these excludes
    # The app's hidden imports are its own package's submodules only, never the service package.
    assert 'collect_submodules("quarantine_service"' not in spec

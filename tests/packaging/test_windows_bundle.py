"""What the Windows bundle holds, read from the same plan the spec builds from (packaging/bundle_plan.py),
and the windowed entry point's behaviour without a console.

Not provable here: that PyInstaller on Windows really freezes the planned executables and that the real
pymsalruntime loads from the frozen folder; the package workflow's windows job checks both on a runner.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import bundle_plan  # noqa: E402


def test_windows_gets_a_console_entry_point_beside_the_windowed_one() -> None:
    win = {e.name: e.console for e in bundle_plan.executables("win32")}
    assert win == {"quarantine-checker": False, "quarantine-checker-cli": True}
    assert [e.name for e in bundle_plan.executables("linux")] == ["quarantine-checker"]
    spec = (PACKAGING / "quarantine-checker.spec").read_text(encoding="utf-8")
    assert "for entry in bundle_plan.executables(sys.platform)" in spec
    assert "COLLECT(*exes," in spec  # both in one folder: one Python, one Qt


def test_the_windows_bundle_collects_the_wam_broker(tmp_path: Path) -> None:
    # A stand-in for the installed Windows wheel's layout (pymsalruntime 0.20: a .pyd and msalruntime.dll).
    pkg = tmp_path / "pymsalruntime"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "pymsalruntime.cp311-win_amd64.pyd").write_bytes(b"MZ")
    (pkg / "msalruntime.dll").write_bytes(b"MZ")
    spec = SimpleNamespace(submodule_search_locations=[str(pkg)])
    assert bundle_plan.broker_binaries("win32", find_spec=lambda name: spec) == [
        (str(pkg / "msalruntime.dll"), "pymsalruntime")]
    assert {"pymsalruntime", "pymsalruntime.pymsalruntime", "msal.broker"} <= set(
        bundle_plan.broker_hiddenimports("win32"))
    assert bundle_plan.broker_binaries("linux") == [] and bundle_plan.broker_hiddenimports("darwin") == []


def test_a_windows_build_without_the_broker_fails_instead_of_shipping_browser_only() -> None:
    with pytest.raises(SystemExit, match="pymsalruntime"):
        bundle_plan.broker_binaries("win32", find_spec=lambda name: None)


def _pulls_broker(platform: str) -> bool:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    env = dict(default_environment(), sys_platform=platform,
               platform_system={"win32": "Windows", "linux": "Linux", "darwin": "Darwin"}[platform])
    for dep in map(Requirement, deps):
        if dep.marker is not None and not dep.marker.evaluate(env):
            continue
        if dep.name == "pymsalruntime" or (dep.name == "msal" and "broker" in dep.extras):
            return True
    return False


def test_the_broker_is_a_dependency_on_windows_only() -> None:
    assert _pulls_broker("win32")
    assert not _pulls_broker("linux")
    assert not _pulls_broker("darwin")


@pytest.mark.parametrize(("argv", "code"), [(["--help"], 0), (["no-such-command"], 2)])
def test_the_windowed_exe_without_a_console_does_not_crash_on_output(monkeypatch, argv, code) -> None:
    # A windowed (console=False) exe on Windows has sys.stdout and sys.stderr set to None.
    from quarantine_checker import __main__

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    with pytest.raises(SystemExit) as info:
        __main__.main(argv)
    assert info.value.code == code

"""The .deb a person installs: build it from this checkout, install it into this machine, use it, remove it.

This is the frozen build, not the source checkout: keyring backends, msal, Qt plugins and icons are the
things that go missing in a frozen app, so everything below runs /usr/bin/quarantine-checker from the
installed package. It changes the machine (dpkg -i as root), so it removes the package again in every
case and first removes a leftover from an earlier, crashed run. Slow (~40 s: PyInstaller build, .deb,
install, two app runs, removal); the .deb uses zstd here for speed, releases use xz (make package).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

PACKAGE = "quarantine-checker"
INSTALL_DIR = Path("/opt/quarantine-checker")
LAUNCHER = Path("/usr/bin/quarantine-checker")
DESKTOP_FILE = Path("/usr/share/applications/quarantine-checker.desktop")
HICOLOR_SVG = Path("/usr/share/icons/hicolor/scalable/apps/quarantine-checker.svg")
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
DEB_BUDGET = 60 * 1024 * 1024
INSTALLED_BUDGET_KIB = 170 * 1024

pytestmark = [pytest.mark.slow, pytest.mark.xvfb, pytest.mark.keyring]


def _skip_reason() -> str | None:
    if not sys.platform.startswith("linux") or not shutil.which("dpkg-deb"):
        return "needs a Debian system (dpkg-deb)"
    if os.geteuid() != 0:
        return "installs a .deb with dpkg -i: needs root (CI runs as root)"
    if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "needs Xvfb, a session bus and gnome-keyring: run it through tests/run-suite.sh"
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return "PyInstaller is not installed (it is in the 'test' extra: pip install -e '.[test]')"
    return None


def _installed() -> bool:
    res = subprocess.run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True, text=True,
                         check=False)
    return "install ok installed" in res.stdout


def _remove() -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "remove", "-y", "-q", PACKAGE] if shutil.which("apt-get") else ["dpkg", "-r", PACKAGE]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)


def _app_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "QC_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QC_DATA_DIR=str(home / "qc-data"),
        QC_CONFIG_DIR=str(home / "qc-config"),
        PATH="/usr/local/bin:/usr/bin:/bin",
    )
    return env


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_for_tray_item(log: Path, pid: int, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.is_file():
            for line in log.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                if record.get("kind") == "tray_item" and record.get("pid") == pid:
                    return record
        time.sleep(0.1)
    return None


@pytest.fixture
def deb(tmp_path_factory: pytest.TempPathFactory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    import build as packaging_build

    dist = tmp_path_factory.mktemp("dist")
    bundle = packaging_build.build_bundle(dist, work=ROOT / "build" / "pyinstaller-smoke")
    yield packaging_build.build_deb(bundle, dist, compression="zstd")
    shutil.rmtree(dist, ignore_errors=True)  # ~200 MB; pytest would keep the last three runs' copies


@pytest.fixture
def sni_watcher(tmp_path: Path):
    """A stand-in panel on the suite's session bus (the tray tests' fake desktop, in its own process), so
    the tray is available and registrations are logged."""
    log = tmp_path / "desktop-events.jsonl"
    script = ROOT / "tests" / "tray" / "fake_desktop_bus.py"
    proc = subprocess.Popen([sys.executable, str(script), str(log)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    ready = proc.stdout.readline().strip()
    if ready != "READY":
        proc.kill()
        pytest.fail(f"the stand-in tray host did not start: {ready!r}")
    yield log
    proc.stdin.close()  # the fake exits when its stdin closes
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_deb_installs_runs_the_demo_passes_self_test_and_uninstalls_cleanly(
    deb: Path, sni_watcher: Path, tmp_path: Path
) -> None:
    import build as packaging_build

    # What the .deb says about itself, before anything is installed.
    fields = {f: packaging_build.run(["dpkg-deb", "-f", str(deb), f], capture_output=True).stdout.strip()
              for f in ("Package", "Version", "Depends", "Recommends", "Installed-Size")}
    from quarantine_checker import __version__

    assert fields["Package"] == PACKAGE and fields["Version"] == __version__
    assert "libxcb-cursor0" in fields["Depends"] and "libegl1" in fields["Depends"]
    assert "gnome-keyring" in fields["Recommends"]  # a Secret Service provider keeps the sign-in
    assert deb.stat().st_size <= DEB_BUDGET, f".deb is {deb.stat().st_size / 1e6:.1f} MB (budget 60 MB)"
    assert int(fields["Installed-Size"]) <= INSTALLED_BUDGET_KIB, f"installs {fields['Installed-Size']} KiB"

    if _installed():  # a crashed earlier run left it behind
        _remove()
    assert not INSTALL_DIR.exists(), f"{INSTALL_DIR} exists but is not from an installed package"
    home = tmp_path / "home"
    home.mkdir()
    env = _app_env(home)
    gui: subprocess.Popen[bytes] | None = None
    owned: list[str] = []
    try:
        res = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True, timeout=120,
                             check=False)
        assert res.returncode == 0, f"dpkg -i failed:\n{res.stdout}\n{res.stderr}"
        owned = subprocess.run(["dpkg-query", "-L", PACKAGE], capture_output=True, text=True,
                               check=True).stdout.split("\n")
        assert os.path.realpath(LAUNCHER) == str(INSTALL_DIR / PACKAGE)
        assert DESKTOP_FILE.is_file() and HICOLOR_SVG.is_file()
        if shutil.which("desktop-file-validate"):
            check = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True,
                                   text=True, check=False)
            assert check.returncode == 0, check.stdout + check.stderr

        # 1. The installed app checks itself: real X display, tray host present, real Secret Service.
        res = subprocess.run([LAUNCHER.name, "--self-test"], capture_output=True, text=True, env=env,
                             timeout=60, cwd=home, check=False)
        report = json.loads(res.stdout)
        assert res.returncode == 0, f"self-test failed: {report.get('failed')}\n{res.stdout}\n{res.stderr}"
        assert report["frozen"] is True
        assert report["executable"] == str(INSTALL_DIR / PACKAGE)
        assert report["qt"]["platform"] == "xcb"
        assert report["tray"]["available"] is True
        assert report["keyring"] == {"backend": SECRET_SERVICE, "usable": True}
        assert report["resources"]["dir"].startswith(str(INSTALL_DIR))
        assert report["network"]["ca_bundle"].startswith(str(INSTALL_DIR))
        if "command" in report["autostart"]:  # start at login would launch this installation
            assert report["autostart"]["command"][0] == str(INSTALL_DIR / PACKAGE)

        # 2. Start it as a person would (from the PATH) on the demo tenant: window, tray icon, screenshot.
        from x11_probe import X11Probe

        errors = tmp_path / "gui-stderr.txt"
        with errors.open("wb") as err:
            gui = subprocess.Popen([LAUNCHER.name, "--demo"], env=env, cwd=home, stdout=subprocess.DEVNULL,
                                   stderr=err)
        with X11Probe() as probe:
            window = probe.wait_for("Quarantine Checker", timeout=30)
        assert gui.poll() is None, f"the app exited: {errors.read_text(errors='replace')[-2000:]}"
        assert window is not None, "no Quarantine Checker window appeared within 30 s"
        assert "DEMO" in window.title
        tray = _wait_for_tray_item(sni_watcher, gui.pid, timeout=15)
        assert tray is not None, "the installed app did not register a tray icon"
        time.sleep(1.5)  # let the demo list load, so the screenshot shows it
        artifacts = Path(os.environ.get("QC_ARTIFACTS", ROOT / "artifacts")) / "screenshots"
        artifacts.mkdir(parents=True, exist_ok=True)
        shot = artifacts / "installed-deb-demo.png"
        subprocess.run(["import", "-window", "root", str(shot)], check=True, timeout=30)
        assert shot.stat().st_size > 20_000, "the screenshot is (nearly) blank"
        _stop(gui)
        gui = None
    finally:
        if gui is not None:
            _stop(gui)
        if _installed():
            removal = _remove()
            assert removal.returncode == 0, removal.stdout + removal.stderr

    # 3. Removed without leftovers: no file of the package remains and /opt/quarantine-checker is gone.
    assert not _installed()
    assert not INSTALL_DIR.exists(), f"left behind: {sorted(p.name for p in INSTALL_DIR.rglob('*'))[:20]}"
    leftovers = [p for p in owned if p and os.path.lexists(p) and not os.path.isdir(p)]
    assert leftovers == []
    assert not LAUNCHER.exists() and not DESKTOP_FILE.exists() and not HICOLOR_SVG.exists()

"""Second launch hands over; start at login writes and removes its entry; settings and diagnostics."""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tray_helpers import app_env

from quarantine_checker.ui.autostart import (
    Autostart,
    desktop_entry_content,
    desktop_entry_path,
    is_translocated,
    launch_agent_content,
    remove_stale_run_value,
    run_key_value,
    run_value_program,
)


def test_a_second_launch_brings_the_first_forward_and_exits(fake_bus, tmp_path):
    env = app_env(tmp_path)
    items = len(fake_bus.events("tray_item"))
    first = subprocess.Popen([sys.executable, "-m", "quarantine_checker", "--demo"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        fake_bus.wait_for("tray_item", timeout=30, count=items + 1)  # the first one is up, in the tray
        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "quarantine_checker", "--demo"], env=env,
                                capture_output=True, text=True, timeout=30)
        took = time.monotonic() - started
        assert second.returncode == 0, second.stderr
        assert took < 10, "it handed over instead of starting a demo tenant, a sign-in and a checker"
        log = Path(env["QC_DATA_DIR"]) / "logs" / "quarantine-checker.log"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "another launch asked to show the window" not in (
                log.read_text() if log.exists() else ""):
            time.sleep(0.1)
        assert "another launch asked to show the window" in log.read_text()
        assert first.poll() is None, "the first instance keeps running"
        assert len(fake_bus.events("tray_item")) == items + 1, "no second tray icon"
    finally:
        first.terminate()
        first.wait(10)


def test_start_at_login_file_is_written_and_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    auto = Autostart(platform="linux", command=["/opt/Quarantine Checker/qc", "--minimized"])
    path = desktop_entry_path()
    assert path == tmp_path / "cfg" / "autostart" / "quarantine-checker.desktop"
    assert not auto.is_enabled()
    auto.enable()
    text = path.read_text()
    assert auto.is_enabled()
    assert 'Exec="/opt/Quarantine Checker/qc" --minimized' in text
    assert "[Desktop Entry]" in text and "Type=Application" in text
    auto.disable()
    assert not path.exists() and not auto.is_enabled()
    auto.disable()  # twice is fine


def test_windows_and_macos_entries_content_only():
    # Only the content can be checked on Linux CI: the registry and launchd don't exist here.
    assert run_key_value([r"C:\Program Files\Quarantine Checker\qc.exe", "--minimized"]) == (
        r'"C:\Program Files\Quarantine Checker\qc.exe" --minimized')
    plist = plistlib.loads(launch_agent_content(["/Applications/QC.app/Contents/MacOS/qc", "--minimized"]))
    assert plist["ProgramArguments"] == ["/Applications/QC.app/Contents/MacOS/qc", "--minimized"]
    assert plist["RunAtLoad"] is True


def test_desktop_entry_quotes_hostile_paths():
    text = desktop_entry_content(["/home/a b/$HOME/`x`/100%/qc", "--minimized"])
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line == 'Exec="/home/a b/\\$HOME/\\`x\\`/100%%/qc" --minimized'
    assert "\n" not in exec_line


@pytest.mark.skipif(not os.environ.get("DBUS_SESSION_BUS_ADDRESS"), reason="needs a session bus")
def test_tray_menu_diagnostics_and_files_hold_no_mail_or_tokens(start_app, fake_bus, tenant, tmp_path):
    from datetime import UTC, datetime, timedelta

    tenant.add_message("alice@northwind.example", Subject="Salary review Q3",
                       SenderAddress="hr@secret.example",
                       QuarantineTypes="Phish", TagName="DefaultFullAccessPolicy",
                       ReceivedTime=datetime.now(UTC) - timedelta(hours=1))
    app = start_app(interval=2)
    app.wait_for("signed_in", timeout=30)
    app.wait_for("checked", lambda e: e["ok"], timeout=30)
    app.send(cmd="state")
    state = app.wait_for("state", timeout=10)
    assert state["kind"] == "held" and state["count"] == 1
    assert "1 message is waiting for you" in state["tooltip"]
    assert any("Salary review Q3" in m for m in state["menu"]), "the latest held messages are in the menu"
    assert {"Open Quarantine Checker", "Check now", "Pause notifications for 1 hour",
            "Pause notifications until tomorrow", "Sign out", "Quit"} <= set(state["menu"])
    diag = state["diagnostics"]
    assert "Quarantine Checker" in diag and "PySide6" in diag and "checks:" in diag
    for secret in ("Salary", "secret.example", "Bearer", "eyJ"):
        assert secret not in diag
    # What the app wrote to disk: settings and the "already told" record, never the mail itself.
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".json", ".log")]
    assert any(p.name.startswith("told-") for p in written)
    for p in written:
        text = p.read_text(errors="replace")
        assert "Salary" not in text and "secret.example" not in text, p.name


def test_macos_refuses_start_at_login_from_a_translocated_copy(tmp_path, monkeypatch):
    # App Translocation exists only on macOS; the path it produces is what is checked (the plist write
    # is real, into a throwaway HOME). Not proven here: that launchd then starts the moved app.
    monkeypatch.setenv("HOME", str(tmp_path))
    moved = "/Applications/Quarantine Checker.app/Contents/MacOS/quarantine-checker"
    translocated = ("/private/var/folders/x1/abc/T/AppTranslocation/1F2E3D4C-0000-4000-8000-000000000000/d/"
                    "Quarantine Checker.app/Contents/MacOS/quarantine-checker")
    assert is_translocated(translocated) and not is_translocated(moved)
    with pytest.raises(OSError) as info:
        Autostart(platform="darwin", command=[translocated, "--minimized"]).enable()
    assert "Applications folder" in (info.value.strerror or "")
    assert not (tmp_path / "Library" / "LaunchAgents").exists()
    Autostart(platform="darwin", command=[moved, "--minimized"]).enable()
    plist = plistlib.loads(next((tmp_path / "Library" / "LaunchAgents").iterdir()).read_bytes())
    assert plist["ProgramArguments"][0] == moved


def test_windows_run_value_left_by_an_uninstalled_copy_is_removed_at_start(tmp_path):
    # The registry is a dict here (winreg exists only on Windows); the rule is what is tested.
    exe = tmp_path / "Quarantine Checker" / "quarantine-checker.exe"
    registry = {"value": run_key_value([str(exe), "--minimized"])}

    def check() -> bool:
        return remove_stale_run_value(lambda: registry.get("value"), lambda: registry.pop("value"),
                                      exists=lambda p: Path(p).exists())

    exe.parent.mkdir()
    exe.write_bytes(b"MZ")
    assert not check() and "value" in registry  # the program is there: keep it
    exe.unlink()
    assert check() and "value" not in registry  # uninstalled: gone
    assert not check()  # nothing there: nothing to do
    assert run_value_program(r'"C:\Program Files\QC\qc.exe" --minimized') == r"C:\Program Files\QC\qc.exe"
    assert run_value_program(r"C:\QC\qc.exe --minimized") == r"C:\QC\qc.exe"


def test_windows_asks_to_be_restarted_minimised_after_an_upgrade_closes_it():
    # RegisterApplicationRestart is kernel32 (Windows only): the arguments it gets are what is checked.
    from quarantine_checker.ui import windows_restart

    calls: list[tuple[str, int]] = []
    assert windows_restart.register_for_restart(lambda cmd, flags: calls.append((cmd, flags)) or 0)
    ((cmd, flags),) = calls
    assert cmd == "--minimized"
    assert not flags & 0x4, "RESTART_NO_PATCH would stop the restart after an update"
    assert flags & 0x1 and flags & 0x2  # not after a crash or a hang
    assert not windows_restart.register_for_restart(lambda cmd, flags: -2147024809)  # E_INVALIDARG


def test_start_at_login_uses_the_windowed_exe_even_when_started_from_the_console_one():
    from quarantine_checker.ui.autostart import launch_command

    folder = r"C:\Program Files\Quarantine Checker"
    assert launch_command(folder + r"\quarantine-checker-cli.exe", frozen=True) == [
        folder + r"\quarantine-checker.exe", "--minimized"]
    assert launch_command(folder + r"\quarantine-checker.exe", frozen=True) == [
        folder + r"\quarantine-checker.exe", "--minimized"]
    assert launch_command("/usr/bin/python3", frozen=False)[1:] == ["-m", "quarantine_checker", "--minimized"]

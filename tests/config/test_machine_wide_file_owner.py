"""The machine-wide settings file is believed only when the system (or the person running the app) owns
it: one planted by another local user is ignored and named in the diagnostics.

Linux/macOS run for real here (a file given to another user id with chown, which needs root: the CI
machine is root). Windows: the owner SID comes from GetNamedSecurityInfoW, which cannot run here; the
rule is tested with the SID handed in, and what is NOT proven is that call on a real Windows.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quarantine_checker.config import load_config
from quarantine_checker.system_file_trust import ADMINISTRATORS_SID, SYSTEM_SID, distrust_reason

OTHER_UID = 65534  # nobody
SETTINGS = 'tenant_id = "evil.example"\nhelpdesk = "Call 0900 scam"\nlocked = ["tenant_id"]\n'


def _need_root() -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root; giving a file to another user needs it")
        pytest.skip("needs root to give a file to another user")


def test_a_system_file_planted_by_another_user_is_ignored_and_reported(tmp_path: Path) -> None:
    _need_root()
    system = tmp_path / "etc" / "config.toml"
    system.parent.mkdir()
    system.write_text(SETTINGS, encoding="utf-8")
    os.chown(system, OTHER_UID, OTHER_UID)
    config = load_config(env={}, user_file=tmp_path / "none.toml", system_file=system)
    assert config.tenant_id != "evil.example"
    assert config.helpdesk != "Call 0900 scam"
    assert any("ignored" in note and "not root" in note for note in config.notes)
    assert "not root" in config.describe_for_it()  # what IT sees in "Copy details for IT"

    os.chown(system, 0, 0)  # the same file, owned by root: used
    config = load_config(env={}, user_file=tmp_path / "none.toml", system_file=system)
    assert (config.tenant_id, config.helpdesk) == ("evil.example", "Call 0900 scam")


def test_a_world_writable_system_file_is_ignored(tmp_path: Path) -> None:
    system = tmp_path / "config.toml"
    system.write_text(SETTINGS, encoding="utf-8")
    system.chmod(0o666)
    config = load_config(env={}, user_file=tmp_path / "none.toml", system_file=system)
    assert config.tenant_id != "evil.example"
    assert distrust_reason(system) is not None


def test_windows_owner_rule(tmp_path: Path) -> None:
    # Stand-in for GetNamedSecurityInfoW (Windows only); the rule is what is tested.
    me = "S-1-5-21-1-2-3-1001"
    other = "S-1-5-21-1-2-3-1002"
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS, encoding="utf-8")

    def check(owner: str) -> str | None:
        return distrust_reason(path, "win32", owner_sid=lambda _p: owner, user_sid=lambda: me)

    assert check(SYSTEM_SID) is None
    assert check(ADMINISTRATORS_SID) is None
    assert check(me) is None  # only affects the person who could edit their own settings anyway
    reason = check(other)
    assert reason is not None and other in reason and "Administrators" in reason
    # A file that isn't there is simply absent, not "untrusted".
    assert distrust_reason(Path("/nonexistent/config.toml"), "linux") is None

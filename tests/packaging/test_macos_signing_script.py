"""The macOS signing/notarisation script, run here with stand-ins for Apple's tools (codesign, hdiutil,
xcrun, spctl exist only on a Mac). Each stand-in logs its arguments and answers as configured, so what is
checked is the script's own logic: it verifies instead of re-signing, stops at the first failure, and
prints Apple's log when notarisation is rejected. Not proven here: that Apple accepts the real build; the
workflow's macos jobs do that on real runners with the real certificate.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = "Developer ID Application: Example Ltd (ABCDE12345)"
GOOD_SIGNATURE = f"Authority={IDENTITY}\nTimestamp=4 Dec 2026 at 10:00:00\nflags=0x10000(runtime)\n"

STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
name="$(basename "$0")"
case "$name $*" in
  "codesign --verify"*) exit "${CODESIGN_VERIFY_RC:-0}" ;;
  "codesign --display"*) printf '%s' "$CODESIGN_DISPLAY" >&2 ;;
  "hdiutil create"*) touch "${@: -1}" ;;
  "xcrun notarytool submit"*) printf '%s\\n' "$NOTARY_SUBMIT" ;;
  "xcrun notarytool log"*) echo "LOG: the binary is not signed with a valid Developer ID certificate" ;;
esac
exit 0
"""


@pytest.fixture
def mac(tmp_path: Path) -> dict:
    if not shutil.which("bash") or not shutil.which("python3"):
        pytest.fail("bash and python3 are needed to run the script")
    root = tmp_path / "repo"
    (root / "packaging" / "macos").mkdir(parents=True)
    shutil.copy(ROOT / "packaging" / "macos" / "sign-notarize-dmg.sh", root / "packaging" / "macos")
    app = root / "dist" / "Quarantine Checker.app" / "Contents" / "MacOS"
    app.mkdir(parents=True)
    (app / "quarantine-checker").write_bytes(b"\xcf\xfa\xed\xfe")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("codesign", "hdiutil", "xcrun", "spctl"):
        (bin_dir / tool).write_text(STUB, encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    log = tmp_path / "calls.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MACOS_", "APPLE_"))}
    env.update(PATH=f"{bin_dir}:{os.environ['PATH']}", STUB_LOG=str(log), MACOS_SIGNING_IDENTITY=IDENTITY,
               APPLE_ID="a@example.com", APPLE_TEAM_ID="ABCDE12345", APPLE_APP_PASSWORD="pw",
               CODESIGN_DISPLAY=GOOD_SIGNATURE, NOTARY_SUBMIT='{"id": "sub-1", "status": "Accepted"}')
    return {"root": root, "env": env, "log": log}


def _run(mac: dict, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    res = subprocess.run(["bash", str(mac["root"] / "packaging" / "macos" / "sign-notarize-dmg.sh"), "1.2.3",
                          "arm64"], env={**mac["env"], **env}, capture_output=True, text=True, timeout=60)
    calls = mac["log"].read_text(encoding="utf-8").splitlines() if mac["log"].exists() else []
    return res, calls


def test_a_signed_build_is_verified_notarised_stapled_and_assessed(mac: dict) -> None:
    res, calls = _run(mac)
    assert res.returncode == 0, res.stderr
    assert (mac["root"] / "dist" / "QuarantineChecker-1.2.3-arm64.dmg").exists()
    app = str(mac["root"] / "dist" / "Quarantine Checker.app")
    # Signed while freezing: nothing inside the app is signed again here, only the .dmg.
    assert not [c for c in calls if c.startswith("codesign --force") and app in c]
    order = [next(i for i, c in enumerate(calls) if c.startswith(prefix)) for prefix in (
        "codesign --verify", "hdiutil create", "codesign --force --timestamp --sign",
        "xcrun notarytool submit", "xcrun stapler staple", "spctl --assess --type open",
        "spctl --assess --type execute")]
    assert order == sorted(order)


def test_a_broken_signature_stops_the_build(mac: dict) -> None:
    res, calls = _run(mac, CODESIGN_VERIFY_RC="1")
    assert res.returncode != 0
    assert not any(c.startswith(("hdiutil", "xcrun")) for c in calls)


@pytest.mark.parametrize(("display", "complaint"), [
    ("Authority=Developer ID Application: Someone Else (ZZZ)\nTimestamp=x\nflags=0x10000(runtime)\n",
     "not signed by"),
    (f"Authority={IDENTITY}\nTimestamp=x\nflags=0x0(none)\n", "hardened runtime"),
    (f"Authority={IDENTITY}\nflags=0x10000(runtime)\n", "timestamp"),
])
def test_an_ad_hoc_or_incomplete_signature_is_refused(mac: dict, display: str, complaint: str) -> None:
    res, calls = _run(mac, CODESIGN_DISPLAY=display)
    assert res.returncode != 0 and complaint in res.stderr
    assert not any(c.startswith("xcrun notarytool submit") for c in calls)


def test_a_rejected_notarisation_fails_and_prints_apples_log(mac: dict) -> None:
    res, calls = _run(mac, NOTARY_SUBMIT='{"id": "sub-9", "status": "Invalid"}')
    assert res.returncode != 0
    assert any(c.startswith("xcrun notarytool log sub-9") for c in calls)
    assert "not signed with a valid Developer ID" in res.stderr
    assert not any(c.startswith("xcrun stapler") for c in calls)


def test_the_workflow_signs_while_freezing_and_builds_both_architectures() -> None:
    workflow = (ROOT / ".github" / "workflows" / "package.yml").read_text(encoding="utf-8")
    mac_job = workflow[workflow.index("  macos-dmg:"):]
    assert "arch: arm64" in mac_job and "arch: x86_64" in mac_job
    cert, freeze = mac_job.index("import-certificate.sh"), mac_job.index("packaging/quarantine-checker.spec")
    assert cert < freeze, "the certificate must be in a keychain before PyInstaller signs"
    freeze_step = mac_job[mac_job.rindex("- name:", 0, freeze):freeze]
    assert "QC_CODESIGN_IDENTITY: ${{ secrets.MACOS_SIGNING_IDENTITY }}" in freeze_step
    for script in ("sign-notarize-dmg.sh", "import-certificate.sh"):
        text = (ROOT / "packaging" / "macos" / script).read_text(encoding="utf-8")
        assert "|| true" not in text and "set -euo pipefail" in text

"""The installer sources that can't be run here (Windows MSI, macOS bundle) are still checked here.

- the WiX source is built into a real MSI by wixl (msitools) from a stand-in payload, and its tables
  are read back: Start-menu entry, the deferred SYSTEM custom action that writes the IT settings, upgrades;
- the program that custom action runs (packaging/windows/write_system_config.py) is plain Python: it
  is run here and its file is read back by the app's own config loader;
- the macOS entitlements parse as a plist; the .desktop file passes desktop-file-validate;
- the bundle filter keeps what draws the icons and drops what it promises to drop.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from quarantine_checker.config import load_config

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))
sys.path.insert(0, str(PACKAGING / "windows"))

import slim  # noqa: E402
import write_system_config  # noqa: E402

CLIENT = "11111111-2222-3333-4444-555555555555"


def _missing_tool(reason: str) -> None:
    # On a developer machine a missing tool skips; in CI it fails, so "all skipped" can't pass as green.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs {reason}")
    pytest.skip(reason)


def _msi_table(msi: Path, table: str) -> list[list[str]]:
    out = subprocess.run(["msiinfo", "export", str(msi), table], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in out.stdout.splitlines()[3:]]


@pytest.fixture(scope="module")
def msi(tmp_path_factory: pytest.TempPathFactory, qapp: object) -> Path:
    # qapp: the icon renderer needs a Qt application; pytest-qt's (a QApplication) must be the one,
    # or the GUI tests that run later in the same process find a bare QGuiApplication.
    if not (shutil.which("wixl") and shutil.which("wixl-heat") and shutil.which("msiinfo")):
        _missing_tool("wixl and msitools (apt-get install wixl msitools; make apt installs both)")
    work = tmp_path_factory.mktemp("wix")
    payload = work / "payload"
    (payload / "_internal" / "PySide6").mkdir(parents=True)
    for name in ("quarantine-checker.exe", "quarantine-checker-cli.exe", "qc-write-config.exe",
                 "_internal/python311.dll",
                 "_internal/PySide6/Qt6Core.dll"):
        (payload / name).write_bytes(b"MZ stand-in")
    import make_icons

    ico = work / "app.ico"
    ico.write_bytes(make_icons.ico_bytes(make_icons.render_pngs(work / "png", (16, 32, 48))))
    listing = "\n".join(str(p.relative_to(payload / "_internal")) for p in (payload / "_internal").rglob("*")
                        if p.is_file())
    heat = ["wixl-heat", "--prefix", "", "--directory-ref", "INTERNALDIR", "--component-group",
            "InternalFiles", "--var", "var.InternalDir", "--win64"]
    files = subprocess.run(heat, input=listing, capture_output=True, text=True, check=True).stdout
    (work / "files.wxs").write_text(files, encoding="utf-8")
    out = work / "QuarantineChecker.msi"
    wxs = PACKAGING / "windows" / "quarantine-checker.wxs"
    # wixl resolves sources relative to the working directory and refuses absolute paths.
    # Wixl=yes: leave out what wixl has no extension for (util:CloseApplication, checked in the source).
    res = subprocess.run(["wixl", "-a", "x64", "-D", "Wixl=yes", "-D", "Win64=yes", "-D", "Version=1.2.3",
                          "-D", "SourceDir=payload", "-D", "InternalDir=payload/_internal", "-D",
                          f"IconFile={ico.name}", "-o", out.name, str(wxs), "files.wxs"],
                         capture_output=True, text=True, check=False, cwd=work)
    assert res.returncode == 0, res.stderr
    return out


def test_msi_installs_a_start_menu_entry_for_the_app(msi: Path) -> None:
    shortcuts = _msi_table(msi, "Shortcut")
    assert [(s[1], s[2], s[4]) for s in shortcuts] == [
        ("ProgramMenuFolder", "Quarantine Checker", "[INSTALLDIR]quarantine-checker.exe")
    ]
    files = {row[2] for row in _msi_table(msi, "File")}
    assert {"quarantine-checker.exe", "qc-write-config.exe", "python311.dll", "Qt6Core.dll"} <= files


def test_msi_installs_the_console_executable_for_the_command_line(msi: Path) -> None:
    # The windowed exe has no stdout and cmd does not wait for it: commands need the console one.
    files = {row[2] for row in _msi_table(msi, "File")}
    assert "quarantine-checker-cli.exe" in files
    components = {row[1] for row in _msi_table(msi, "FeatureComponents")}
    assert "CommandLine" in components


def test_msi_creates_and_secures_the_settings_folder_as_system_on_every_install(msi: Path) -> None:
    (action,) = _msi_table(msi, "CustomAction")
    name, kind, source, command = action[:4]
    assert (name, source) == ("WriteSystemConfig", "ConfigWriterExe")
    # 18 = run an installed exe, +1024 deferred (after files are there), +2048 as SYSTEM (ProgramData).
    assert int(kind) == 18 + 1024 + 2048
    for prop in ("--secure-folder", "[TENANT_ID]", "[CLIENT_ID]", "[HELPDESK]", "[LOCK_SETTINGS]",
                 "[CONFIGDIR]config.toml"):
        assert prop in command
    rows = _msi_table(msi, "InstallExecuteSequence")
    sequence = {row[0]: row[1] for row in rows}
    order = {row[0]: int(row[2]) for row in rows}
    # Every install, repair and upgrade (the folder's ACL), not only when IT gives properties.
    assert sequence["WriteSystemConfig"] == "NOT REMOVE"
    assert order["WriteSystemConfig"] > order["InstallFiles"]
    # The installer creates the folder itself rather than leaving it to whoever comes first.
    assert ["CONFIGDIR", "ConfigFolder"] in _msi_table(msi, "CreateFolder")


def test_msi_is_per_machine_and_upgrades_in_place(msi: Path) -> None:
    props = {row[0]: row[1] for row in _msi_table(msi, "Property")}
    assert props["ALLUSERS"] == "1"
    assert props["ProductVersion"] == "1.2.3"
    assert props["UpgradeCode"] == "{355D79F0-B24D-4D5B-8A37-6585B52407BE}"  # never change: upgrades need it
    assert any(row[0] == props["UpgradeCode"] for row in _msi_table(msi, "Upgrade"))


def test_installer_settings_are_read_back_by_the_app(tmp_path: Path) -> None:
    out = tmp_path / "ProgramData" / "Quarantine Checker" / "config.toml"
    helpdesk = 'IT "Service" Desk\\ ext. 1234'
    code = write_system_config.main(["--out", str(out), "--tenant-id", " Contoso.COM ", "--client-id", CLIENT,
                                     "--helpdesk", helpdesk, "--lock", "1"])
    assert code == 0
    config = load_config(env={}, user_file=tmp_path / "none.toml", system_file=out)
    assert (config.tenant_id, config.client_id, config.helpdesk) == ("contoso.com", CLIENT, helpdesk)
    assert tomllib.loads(out.read_text(encoding="utf-8"))["locked"] == ["client_id", "tenant_id"]

    # An upgrade run without properties (the MSI skips the action) or with only one keeps the rest.
    assert write_system_config.main(["--out", str(out), "--helpdesk", "Call 999"]) == 0
    config = load_config(env={}, user_file=tmp_path / "none.toml", system_file=out)
    assert (config.tenant_id, config.client_id, config.helpdesk) == ("contoso.com", CLIENT, "Call 999")


def test_a_wrong_tenant_fails_the_installation_and_leaves_the_file_alone(tmp_path: Path, capsys) -> None:
    out = tmp_path / "config.toml"
    assert write_system_config.main(["--out", str(out), "--tenant-id", "contoso.com"]) == 0
    before = out.read_bytes()
    assert write_system_config.main(["--out", str(out), "--tenant-id", "common"]) == 2
    assert "isn't one organisation" in capsys.readouterr().err
    assert write_system_config.main(["--out", str(out), "--client-id", "not-a-guid"]) == 2
    assert out.read_bytes() == before


def test_wix3_closes_the_running_app_for_an_upgrade_without_a_reboot() -> None:
    # wixl has no util extension, so this is read from the source; WiX 3 on the Windows runner builds it.
    # Not proven here: that Windows Installer really closes the tray app and the Restart Manager restarts it.
    wxs = PACKAGING / "windows" / "quarantine-checker.wxs"
    text = wxs.read_text(encoding="utf-8")
    util = "{http://schemas.microsoft.com/wix/UtilExtension}"
    (close,) = ET.parse(wxs).getroot().iter(f"{util}CloseApplication")  # noqa: S314 - our own file
    assert close.get("Target") == "quarantine-checker.exe"
    assert close.get("EndSessionMessage") == "yes"  # what Qt answers by quitting (WM_CLOSE only hides)
    assert close.get("RebootPrompt") == "no"
    assert int(close.get("TerminateProcess", "0")) > 0
    before, _, after = text.partition("<util:CloseApplication")
    assert before.rstrip().endswith('<?if $(var.Wixl) != "yes" ?>') and "<?endif ?>" in after
    workflow = (ROOT / ".github" / "workflows" / "package.yml").read_text(encoding="utf-8")
    assert "-dWixl=no" in workflow and workflow.count("-ext WixUtilExtension") >= 2  # candle and light


def test_settings_folder_gets_an_explicit_acl_by_sid(tmp_path: Path) -> None:
    # icacls cannot run here: the command is what is checked (SIDs, so any Windows language works).
    ran: list[list[str]] = []
    folder = tmp_path / "Quarantine Checker"
    write_system_config.secure_folder(folder, run=lambda argv: ran.append(argv) or 0, platform="win32")
    owner, reset, grant = ran
    assert owner[:4] == ["icacls", str(folder), "/setowner", "*S-1-5-32-544"]  # not whoever made it
    assert reset[:3] == ["icacls", str(folder), "/reset"]  # drops explicit entries a user added
    assert grant[:3] == ["icacls", str(folder), "/inheritance:r"]
    assert {"*S-1-5-18:(OI)(CI)F", "*S-1-5-32-544:(OI)(CI)F", "*S-1-5-32-545:(OI)(CI)RX"} <= set(grant)
    assert not any(a.startswith("*S-1-5-32-545:") and "F" in a.split(":")[1] for a in grant)
    with pytest.raises(OSError):
        write_system_config.secure_folder(folder, run=lambda argv: 5, platform="win32")


def test_the_settings_file_is_written_through_a_temp_file_nobody_could_prepare(tmp_path: Path) -> None:
    out = tmp_path / "config.toml"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (tmp_path / "config.toml.tmp").symlink_to(victim)  # a user pre-creates the predictable name
    assert write_system_config.main(["--out", str(out), "--tenant-id", "contoso.com"]) == 0
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert 'tenant_id = "contoso.com"' in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".config-")] == []


def test_a_planted_settings_file_is_not_merged_into_what_it_writes(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root; giving a file to another user needs it")
        pytest.skip("needs root to give a file to another user")
    out = tmp_path / "config.toml"
    out.write_text('tenant_id = "evil.example"\nhelpdesk = "Call 0900 scam"\n', encoding="utf-8")
    os.chown(out, 65534, 65534)
    assert write_system_config.main(["--out", str(out), "--client-id", CLIENT]) == 0
    written = tomllib.loads(out.read_text(encoding="utf-8"))
    assert written == {"client_id": CLIENT}
    assert out.stat().st_uid == 0


def test_an_install_without_properties_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "config.toml"
    assert write_system_config.main(["--out", str(out), "--tenant-id", "", "--client-id", "", "--helpdesk",
                                     "", "--lock", ""]) == 0
    assert not out.exists()
    assert write_system_config.main(["--out", str(out), "--tenant-id", "contoso.com"]) == 0
    before = out.read_bytes()
    assert write_system_config.main(["--out", str(out), "--secure-folder"]) == 0
    assert out.read_bytes() == before


def test_macos_entitlements_are_a_valid_plist_for_the_hardened_runtime() -> None:
    data = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert data["com.apple.security.cs.disable-library-validation"] is True
    assert data["com.apple.security.network.client"] is True
    spec = (PACKAGING / "quarantine-checker.spec").read_text(encoding="utf-8")
    assert '"LSUIElement": True' in spec  # tray-only on macOS: no Dock icon


def test_desktop_entry_is_valid() -> None:
    if not shutil.which("desktop-file-validate"):
        _missing_tool("desktop-file-validate (apt desktop-file-utils)")
    res = subprocess.run(["desktop-file-validate", str(PACKAGING / "linux" / "quarantine-checker.desktop")],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/lib/libQt6Svg.so.6", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/Qt/translations/qtdeclarative_de.qm", False),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("libgtk-3.so.0", False),
        ("libQt6OpenGL.so.6", False),  # the top-level symlink goes with the library
        ("PySide6\\Qt\\plugins\\imageformats\\qsvg.dll", True),
        ("PySide6\\opengl32sw.dll", False),
        # The Windows wheel's own layout: no Qt/ level under PySide6.
        ("PySide6/plugins/imageformats/qsvg.dll", True),
        ("PySide6/plugins/iconengines/qsvgicon.dll", True),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
        ("PySide6/translations/qtbase_de.qm", True),
        ("PySide6/Qt6Svg.dll", True),
        ("PySide6/Qt6Network.dll", True),
        ("PySide6/translations/qtdeclarative_de.qm", False),
        ("PySide6/translations/qt_help_de.qm", False),
        ("PySide6/plugins/imageformats/qtiff.dll", False),
        ("PySide6/plugins/imageformats/qwebp.dll", False),
        ("PySide6/plugins/platforms/qminimal.dll", False),
        ("PySide6/plugins/platforms/qdirect2d.dll", False),
        ("PySide6/plugins/tls/qschannelbackend.dll", False),
        ("PySide6/plugins/networkinformation/qnetworklistmanager.dll", False),
        ("PySide6/plugins/generic/qtuiotouchplugin.dll", False),
        ("PySide6/Qt6Quick.dll", False),
        ("pymsalruntime/msalruntime.dll", True),
    ],
)
def test_bundle_filter_keeps_what_draws_icons_and_drops_the_rest(path: str, kept: bool) -> None:
    assert slim.keep(path) is kept


def test_bundle_carries_qt_lgpl_and_every_runtime_dependency_licence() -> None:
    datas = slim.licence_datas(PACKAGING)
    by_dir: dict[str, list[str]] = {}
    for source, dest in datas:
        assert Path(source).is_file(), source
        by_dir.setdefault(dest, []).append(Path(source).name)
    assert {"LGPL-3.0.txt", "GPL-3.0.txt", "Qt-NOTICE.txt"} <= set(by_dir["licenses/pyside6-essentials"])
    for name in ("msal", "keyring", "requests", "cryptography", "certifi"):
        assert by_dir.get(f"licenses/{name}"), f"no licence text for {name}"


def test_the_msi_property_service_url_puts_the_app_on_the_service_road(tmp_path: Path) -> None:
    out = tmp_path / "config.toml"
    scope = f"api://{CLIENT}/Quarantine.Self"
    assert write_system_config.main(["--out", str(out), "--tenant-id", "contoso.com", "--service-url",
                                     "https://quarantine.contoso.com/", "--service-scope", scope,
                                     "--lock", "1"]) == 0
    config = load_config(env={}, user_file=tmp_path / "none.toml", system_file=out)
    assert (config.road, config.service_url, config.service_scope) == (
        "service", "https://quarantine.contoso.com", scope)
    assert {"service_url", "service_scope"} <= set(tomllib.loads(out.read_text(encoding="utf-8"))["locked"])
    # A plain-HTTP service fails the installation (exit 2) and leaves the file as it was.
    before = out.read_bytes()
    plain_http = "http://quarantine.contoso.com"
    assert write_system_config.main(["--out", str(out), "--service-url", plain_http]) == 2
    assert out.read_bytes() == before
    wxs = (PACKAGING / "windows" / "quarantine-checker.wxs").read_text(encoding="utf-8")
    assert '<Property Id="SERVICE_URL" Secure="yes"/>' in wxs and "[SERVICE_URL]" in wxs

"""Build what this machine can: the PyInstaller bundle and, on Debian, the .deb. Prints sizes.

    python packaging/build.py bundle                 # dist/quarantine-checker/ (onedir)
    python packaging/build.py deb [--compression xz] # dist/quarantine-checker_<version>_<arch>.deb
    python packaging/build.py all                    # both, then the size table (what `make package` runs)
    python packaging/build.py sizes

The .deb installs the bundle to /opt/quarantine-checker with a launcher on the PATH
(/usr/bin/quarantine-checker), a .desktop file and the icon in the hicolor theme; dpkg's own triggers
refresh the icon cache and the desktop database, so no maintainer scripts are needed and ``apt remove``
leaves nothing behind. Its Depends line is worked out from the system libraries the bundle actually links
against (ldd + dpkg -S) on top of the list Qt's xcb platform plugin documents.

Windows and macOS installers are built by .github/workflows/package.yml on their own runners.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
sys.path.insert(0, str(ROOT / "app"))

from quarantine_checker import APP_ID, APP_NAME, __version__  # noqa: E402

DIST = ROOT / "dist"
BUNDLE = DIST / APP_ID
INSTALL_DIR = f"/opt/{APP_ID}"
MAINTAINER = "Quarantine Checker maintainers <quarantine-checker@localhost>"

# What Qt's xcb plugin needs from the system (Qt's "X11 requirements"), plus what PyInstaller always
# leaves to the system (libc, libGL/libEGL). Merged with what ldd finds, so nothing is forgotten.
BASE_DEPENDS = [
    "libc6 (>= 2.34)", "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libxkbcommon0",
    "libxkbcommon-x11-0", "libdbus-1-3", "libglib2.0-0", "libx11-6", "libx11-xcb1", "libxcb1",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-shm0", "libxcb-sync1", "libxcb-xfixes0", "libxcb-xkb1",
]
# A Secret Service provider keeps the sign-in; without one the app still runs but asks every time.
RECOMMENDS = ["gnome-keyring | keepassxc | kwalletmanager", "hicolor-icon-theme"]
# GNOME shows tray icons only with the AppIndicator extension.
SUGGESTS = ["gnome-shell-extension-appindicator"]
HICOLOR_PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kw)  # type: ignore[call-overload]


def tree_size(path: Path) -> int:
    """Bytes of regular files under ``path`` (symlinks count as nothing, as on disk)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


# --- bundle ---------------------------------------------------------------------------------------------
def build_bundle(dist: Path = DIST, work: Path | None = None, spec: Path | None = None) -> Path:
    work = work or ROOT / "build" / "pyinstaller"
    spec = spec or PACKAGING / f"{APP_ID}.spec"
    start = time.monotonic()
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
         "--workpath", str(work), str(spec)], cwd=ROOT)
    out = dist / APP_ID
    print(f"bundle: {out} ({tree_size(out) / 1e6:.1f} MB) in {time.monotonic() - start:.1f} s")
    return out


# --- .deb -----------------------------------------------------------------------------------------------
def deb_architecture() -> str:
    return run(["dpkg", "--print-architecture"], capture_output=True).stdout.strip()


def _elf_files(root: Path) -> list[Path]:
    found = []
    for p in root.rglob("*"):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    found.append(p)
    return found


def system_libraries(bundle: Path) -> set[str]:
    """Libraries outside the bundle that its executables and modules load (as ldd resolves them)."""
    env = dict(os.environ, LD_LIBRARY_PATH=f"{bundle / '_internal'}:{bundle / '_internal/PySide6/Qt/lib'}")
    libs: set[str] = set()
    for elf in _elf_files(bundle):
        res = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, env=env, check=False)
        for match in re.finditer(r"=>\s+(/\S+)", res.stdout):
            path = match.group(1)
            if not path.startswith(str(bundle)):
                libs.add(path)
    return libs


def packages_for(paths: set[str]) -> set[str]:
    """Debian packages owning ``paths`` (tries the resolved path too: /lib is /usr/lib on merged-/usr)."""
    candidates = set(paths) | {os.path.realpath(p) for p in paths}
    if not candidates:
        return set()
    res = subprocess.run(["dpkg", "-S", *sorted(candidates)], capture_output=True, text=True, check=False)
    packages = set()
    for line in res.stdout.splitlines():
        owners = line.split(": ", 1)[0]
        for owner in owners.split(", "):
            packages.add(owner.split(":", 1)[0].strip())
    return packages


def depends_line(bundle: Path) -> str:
    names = {re.split(r"\s", d, maxsplit=1)[0]: d for d in BASE_DEPENDS}
    for pkg in packages_for(system_libraries(bundle)):
        names.setdefault(pkg, pkg)
    return ", ".join(names[k] for k in sorted(names))


def _copy_bundle(bundle: Path, target: Path) -> None:
    shutil.copytree(bundle, target, symlinks=True)
    for p in [target, *target.rglob("*")]:
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o755)
        else:
            executable = p.stat().st_mode & 0o111 or p.suffix == ".so" or ".so." in p.name
            p.chmod(0o755 if executable else 0o644)


def _install_icons(root: Path) -> None:
    sys.path.insert(0, str(PACKAGING))
    import make_icons

    hicolor = root / "usr/share/icons/hicolor"
    with tempfile.TemporaryDirectory() as tmp:
        pngs = make_icons.render_pngs(Path(tmp), HICOLOR_PNG_SIZES)
    for size, data in pngs.items():
        target = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    scalable = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "resources" / "icons" / "app.svg", scalable)


def stage_deb(bundle: Path, root: Path) -> dict[str, str]:
    """Lay out the package tree under ``root``; returns the control fields."""
    _copy_bundle(bundle, root / INSTALL_DIR.lstrip("/"))
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin" / APP_ID).symlink_to(f"{INSTALL_DIR}/{APP_ID}")
    apps = root / "usr/share/applications"
    apps.mkdir(parents=True)
    shutil.copy2(PACKAGING / "linux" / f"{APP_ID}.desktop", apps / f"{APP_ID}.desktop")
    _install_icons(root)
    doc = root / "usr/share/doc" / APP_ID
    doc.mkdir(parents=True)
    shutil.copy2(PACKAGING / "linux" / "copyright", doc / "copyright")
    for p in (root / "usr").rglob("*"):
        if not p.is_symlink():
            p.chmod(0o755 if p.is_dir() else 0o644)

    installed_kib = (tree_size(root) + 1023) // 1024
    fields = {
        "Package": APP_ID,
        "Version": __version__,
        "Architecture": deb_architecture(),
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": depends_line(bundle),
        "Recommends": ", ".join(RECOMMENDS),
        "Suggests": ", ".join(SUGGESTS),
        "Section": "mail",
        "Priority": "optional",
        "Description": f"{APP_NAME}: see and release your own quarantined Microsoft 365 mail\n"
        " A small desktop app for employees: sign in with your work account, see which of your\n"
        " messages Microsoft 365 holds in quarantine, read in plain words why, and release them\n"
        " (or ask IT to). It lives in the system tray and checks in the background.\n"
        " .\n"
        " IT can preconfigure the organisation in /etc/xdg/quarantine-checker/config.toml.",
    }
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text("".join(f"{k}: {v}\n" for k, v in fields.items()), encoding="utf-8")
    sums = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink() and debian not in p.parents:
            sums.append(f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(root)}\n")  # noqa: S324
    (debian / "md5sums").write_text("".join(sums), encoding="utf-8")
    for p in debian.iterdir():
        p.chmod(0o644)
    debian.chmod(0o755)
    return fields


def build_deb(bundle: Path = BUNDLE, out_dir: Path = DIST, compression: str = "xz") -> Path:
    if not (bundle / APP_ID).is_file():
        raise SystemExit(f"no bundle at {bundle}: run 'build.py bundle' first")
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qc-deb-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir(mode=0o755)
        fields = stage_deb(bundle, root)
        out = out_dir / f"{APP_ID}_{fields['Version']}_{fields['Architecture']}.deb"
        out.unlink(missing_ok=True)
        # --root-owner-group: every file root:root without needing fakeroot.
        run(["dpkg-deb", f"-Z{compression}", "--root-owner-group", "--build", str(root), str(out)],
            stdout=subprocess.DEVNULL)
    took = time.monotonic() - start
    print(f"deb: {out} ({out.stat().st_size / 1e6:.1f} MB, {compression}) in {took:.1f} s")
    return out


# --- sizes ------------------------------------------------------------------------------------------------
def sizes(bundle: Path = BUNDLE, out_dir: Path = DIST) -> list[tuple[str, str]]:
    rows = []
    if bundle.is_dir():
        files = sum(1 for _ in bundle.rglob("*"))
        rows.append(("bundle (onedir)", f"{tree_size(bundle) / 1e6:.1f} MB, {files} files"))
    for deb in sorted(out_dir.glob(f"{APP_ID}_*.deb")):
        installed = run(["dpkg-deb", "-f", str(deb), "Installed-Size"], capture_output=True).stdout.strip()
        rows.append((deb.name, f"{deb.stat().st_size / 1e6:.1f} MB"))
        mb = int(installed) * 1024 / 1e6
        rows.append(("  installed size", f"{mb:.1f} MB (Installed-Size {installed} KiB)"))
    width = max((len(r[0]) for r in rows), default=0)
    print("\n" + "\n".join(f"{name:<{width}}  {value}" for name, value in rows))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Quarantine Checker bundle and .deb.")
    parser.add_argument("what", choices=["bundle", "deb", "all", "sizes"])
    parser.add_argument("--compression", choices=["xz", "zstd", "gzip"], default="xz",
                        help="for the .deb: xz is smallest (release), zstd is ~50x faster (tests)")
    parser.add_argument("--dist", type=Path, default=DIST, help="output directory (default dist/)")
    args = parser.parse_args(argv)
    bundle = args.dist / APP_ID
    if args.what in ("bundle", "all"):
        build_bundle(args.dist)
    if args.what in ("deb", "all"):
        if not shutil.which("dpkg-deb"):
            print("dpkg-deb not found: not a Debian system, skipping the .deb")
        else:
            build_deb(bundle, args.dist, args.compression)
    if args.what in ("all", "sizes"):
        sizes(bundle, args.dist)
    return 0


if __name__ == "__main__":
    sys.exit(main())

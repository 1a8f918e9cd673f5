"""Render the app icon (resources/icons/app.svg) into what each platform's packaging wants.

- PNGs for the hicolor theme (Linux) and as sources;
- ``quarantine-checker.ico`` (Windows executable and installer) and ``quarantine-checker.icns`` (macOS
  bundle), written here with PNG-compressed entries, which both formats allow, so no Pillow or iconutil
  is needed.

Uses Qt's SVG renderer offscreen, so it runs on any build machine with PySide6.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "app.svg"
BASENAME = "quarantine-checker"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns type codes for PNG payloads (Apple's Icon Composer set).
ICNS_TYPES = {"icp4": 16, "icp5": 32, "icp6": 64, "ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024,
              "ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512}


def render_pngs(out_dir: Path, sizes: tuple[int, ...] = PNG_SIZES) -> dict[int, bytes]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import QApplication

    # A QApplication, not a bare QGuiApplication: when this runs inside a bigger process (the test
    # suite), whatever application it creates is the one every later widget must live in.
    _app = QApplication.instance() or QApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"can't render {SVG}")
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        pngs[size] = bytes(data.data())
        (out_dir / f"{BASENAME}-{size}.png").write_bytes(pngs[size])
    return pngs


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    body = b""
    for code, size in ICNS_TYPES.items():
        if size in pngs:
            body += code.encode("ascii") + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build(out_dir: Path) -> dict[str, Path]:
    pngs = render_pngs(out_dir)
    ico = out_dir / f"{BASENAME}.ico"
    ico.write_bytes(ico_bytes(pngs))
    icns = out_dir / f"{BASENAME}.icns"
    icns.write_bytes(icns_bytes(pngs))
    return {"ico": ico, "icns": icns, "png_dir": out_dir}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"
    for kind, path in build(target).items():
        print(kind, path)

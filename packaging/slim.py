"""What the frozen app leaves out, and the licences it carries: shared by the app's spec and the benchmark's.

Kept here, not in the spec, so the bare PySide6 window in benchmarks/startup.py is bundled exactly the same
way as the app and the start-up ratio compares like with like. Imported by PyInstaller specs (build
time only), never by the app.

Measured on Linux (PySide6-Essentials 6.12): the default onedir is ~190 MB, this filter brings it to about
two thirds of that. What is dropped and why:
- Python modules the app never imports (tkinter, test suites, pydoc, ...); ``email`` and ``http`` stay
  because requests/urllib3 and the demo tenant's HTTPS server need them;
- Qt modules other than QtCore/QtGui/QtWidgets/QtNetwork (QtNetwork is the single-instance socket) and
  QtDBus (the tray on Linux talks StatusNotifierItem over D-Bus through Qt's own libQt6DBus);
- Qt translations except ``qtbase_*`` (the standard dialogs' words, which ui/app.py loads);
- platform plugins other than xcb, offscreen and the native ones of Windows/macOS: without the wayland
  plugin Qt runs through XWayland, where the StatusNotifierItem tray works the same;
- the GTK3 platform theme, which drags in the whole system GTK stack (~19 MB); the xdg-desktop-portal
  theme stays;
- image formats other than SVG, ICO/ICNS, PNG (built in) and JPEG; QML/SQL/designer/wayland plugins.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import sys
from pathlib import Path

EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "unittest", "test", "pydoc", "pydoc_data",
    "doctest", "lib2to3", "xmlrpc", "sqlite3", "_sqlite3", "curses", "ensurepip", "venv", "distutils",
    "setuptools", "pip", "pkg_resources", "IPython", "numpy", "PIL", "pytest", "hypothesis",
    # Qt modules this app does not use (it uses QtCore, QtGui, QtWidgets, QtNetwork; QtDBus through Qt).
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "PySide6.QtSvgWidgets",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtXml", "PySide6.QtPrintSupport", "PySide6.QtConcurrent",
    "PySide6.QtDesigner", "PySide6.QtUiTools", "PySide6.QtHelp", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets", "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.Qt3DCore",
    "PySide6.QtStateMachine", "PySide6.QtNetworkAuth", "PySide6.QtWebSockets", "PySide6.QtSerialPort",
    "PySide6.QtPositioning", "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtSpatialAudio",
    "PySide6.QtTextToSpeech", "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtSensors",
    "PySide6.QtHttpServer", "PySide6.QtGraphs", "PySide6.QtCanvasPainter",
    # The organisation service and what only it needs (the [service] extra): never in the desktop bundle.
    # tests/packaging/test_service_not_bundled.py derives this list from the installed packages.
    "quarantine_service", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "sse_starlette",
    "pydantic", "pydantic_core", "anyio", "h11", "mako", "markupsafe", "click", "annotated_doc",
    "annotated_types", "typing_inspection", "opentelemetry",
]

# Path fragments (with forward slashes) of collected files to drop after analysis.
_DROP_PATTERNS = [
    # PySide6's layout differs: Linux/macOS wheels keep Qt under PySide6/Qt/{lib,plugins,translations}, the
    # Windows wheel puts the DLLs straight in PySide6/ and has PySide6/plugins and PySide6/translations.
    r"PySide6/(Qt/)?translations/(?!qtbase_)",
    r"PySide6/Qt/plugins/platforms/libq(eglfs|wayland|vnc|linuxfb|vkkhrdisplay|minimal|minimalegl)\.",
    r"PySide6/(Qt/)?plugins/(wayland-[^/]+|egldeviceintegrations|networkinformation|tls|generic|qmltooling|"
    r"sqldrivers|designer|printsupport|platforminputcontexts/(lib)?qtvirtualkeyboard|vectorimageformats)/",
    r"PySide6/Qt/plugins/platformthemes/libqgtk3\.",
    r"PySide6/Qt/plugins/imageformats/libq(tiff|webp|pdf|tga|wbmp|gif)\.",
    r"PySide6/(Qt/)?plugins/imageformats/q(tiff|webp|pdf|tga|wbmp|gif)\.dll",
    r"PySide6/(Qt/)?plugins/platforms/q(minimal|direct2d)\.dll",
    r"PySide6/(opengl32sw|d3dcompiler_\d+|Qt6(Pdf|Quick|Qml|OpenGL|VirtualKeyboard)[^/]*)\.dll",
    # (^|/): PyInstaller also puts symlinks to these at the top of the bundle; they must go with them.
    r"(^|/)libQt6(Pdf|Quick|Qml|QmlModels|QmlMeta|QmlWorkerScript|OpenGL|VirtualKeyboard|"
    r"WaylandClient|WaylandEglClientHwIntegration|WlShellIntegration|EglFsKmsSupport|EglFSDeviceIntegration|"
    r"EglFsKmsGbmSupport)\.so",
    # The system GTK stack is only there for the gtk3 platform theme dropped above.
    r"(^|/)lib(gtk-3|gdk-3|gdk_pixbuf-2\.0|atk-1\.0|atk-bridge-2\.0|atspi|cairo|cairo-gobject|pango-1\.0|"
    r"pangocairo-1\.0|pangoft2-1\.0|harfbuzz|fribidi|thai|datrie|epoxy|pixman-1|graphite2|Xcomposite|"
    r"Xcursor|Xdamage|Xfixes|Xi|Xinerama|Xrandr|Xrender|Xext|blkid|mount|selinux|wayland-[a-z]+)\.so",
]
_DROP_RE = re.compile("|".join(f"(?:{p})" for p in _DROP_PATTERNS))

# QtSvg's *library* must stay even though the Python module goes: the SVG icon engine and image plugin
# (how every icon of the app is drawn) link against it.
_KEEP_RE = re.compile(r"libQt6Svg\.so|Qt6Svg\.dll|QtSvg\.framework|plugins/(iconengines|imageformats)/"
                      r"(lib)?q(svg|svgicon)")


def keep(dest: str, source: str = "") -> bool:
    """False for a collected file the app does not need (``dest`` is its path inside the bundle)."""
    path = dest.replace("\\", "/")
    if _KEEP_RE.search(path):
        return True
    return not _DROP_RE.search(path)


def slim(toc: list) -> list:
    """Filter a PyInstaller TOC (``a.binaries`` / ``a.datas``): entries are (dest, source, kind)."""
    return [entry for entry in toc if keep(entry[0], entry[1])]


# --- licences ------------------------------------------------------------------------------------------
_LICENCE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
_QT_DISTS = {"pyside6-essentials", "pyside6", "shiboken6"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(root: str = "quarantine-checker") -> list[md.Distribution]:
    """The installed distributions the app needs at run time (its requirements, without extras)."""
    seen: dict[str, md.Distribution] = {}
    extras: dict[str, set[str]] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        raw_name, wanted = todo.pop()
        name = _canonical(raw_name)
        if name in seen and wanted <= extras.get(name, set()):
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        seen[name] = dist
        extras.setdefault(name, set()).update(wanted)
        for req in dist.requires or []:
            spec, _, marker = req.partition(";")
            if marker.strip() and not _marker_true(marker, extras[name]):
                continue
            dep = re.split(r"[\s<>=!~\[(]", spec.strip(), maxsplit=1)[0]
            requested = re.search(r"\[([^\]]*)\]", spec)  # e.g. msal[broker]: its extra's requirements too
            todo.append((dep, frozenset(e.strip() for e in requested.group(1).split(",")) if requested
                         else frozenset()))
    return [d for n, d in sorted(seen.items()) if n != _canonical(root)]


def _marker_true(marker: str, extras: set[str] | frozenset[str] = frozenset()) -> bool:
    try:
        from packaging.markers import Marker

        parsed = Marker(marker.strip())
        if "extra" not in marker:
            return parsed.evaluate()
        return any(parsed.evaluate({"extra": extra}) for extra in extras)
    except Exception:  # no 'packaging', or a marker it can't read: take the dependency, a licence too many
        return "extra" not in marker


def licence_datas(packaging_dir: Path) -> list[tuple[str, str]]:
    """(source, dest-dir) pairs for PyInstaller ``datas``: every runtime dependency's licence files under
    ``licenses/<name>/``, Qt's LGPL/GPL texts and notice, Python's licence, and the app's own."""
    out: list[tuple[str, str]] = []
    for dist in runtime_distributions():
        name = _canonical(dist.metadata["Name"])
        for file in dist.files or []:
            if _LICENCE_NAME.search(file.name) and ".dist-info" in str(file):
                located = Path(str(dist.locate_file(file)))
                if located.is_file():
                    out.append((str(located), f"licenses/{name}"))
        if name in _QT_DISTS:
            # The wheels carry no licence text; PySide6 and Qt are used under the LGPL-3.0 (which
            # incorporates the GPL-3.0 text).
            for text in ("LGPL-3.0.txt", "GPL-3.0.txt", "Qt-NOTICE.txt"):
                out.append((str(packaging_dir / "licenses" / text), f"licenses/{name}"))
    python_licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / \
        "LICENSE.txt"
    if not python_licence.is_file():
        python_licence = Path(sys.base_prefix) / "LICENSE.txt"  # Windows layout
    if python_licence.is_file():
        out.append((str(python_licence), "licenses/python"))
    own = packaging_dir.parent / "LICENSE"
    if own.is_file():
        out.append((str(own), "licenses/quarantine-checker"))
    out.append((str(packaging_dir / "licenses" / "THIRD-PARTY.md"), "licenses"))
    return out


# --- options both specs pass to PyInstaller ------------------------------------------------------------
ANALYSIS_OPTIONS = {"excludes": EXCLUDED_MODULES, "optimize": 1, "noarchive": False}
# strip: symbols are useless to users and cost ~10 MB on Linux; on macOS stripping would break the
# signatures of the Qt frameworks, and Windows DLLs have nothing to strip.
STRIP = sys.platform.startswith("linux")

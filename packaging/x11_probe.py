"""Wait for another program's window to appear on an X display (Xvfb), with nothing but libX11 via ctypes.

Used by the package smoke test and by benchmarks/startup.py, so "the window is there" means the same in
both: a top-level window whose title contains the given text is mapped and viewable. Polls the window
tree every few milliseconds (a round trip to the X server costs well under a millisecond), which keeps
the measurement honest without xdotool or xwininfo.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import time
from dataclasses import dataclass

_IS_VIEWABLE = 2


class _XWindowAttributes(ctypes.Structure):
    _fields_ = [  # ctypes wants a list here
        ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong), ("class", ctypes.c_int), ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p),
    ]


@dataclass(frozen=True)
class Window:
    id: int
    title: str
    width: int
    height: int


class X11Probe:
    def __init__(self, display: str | None = None) -> None:
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        self._x = ctypes.CDLL(name)
        self._x.XOpenDisplay.restype = ctypes.c_void_p
        self._x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._x.XDefaultRootWindow.restype = ctypes.c_ulong
        self._x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                                       ctypes.POINTER(ctypes.c_ulong),
                                       ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                                       ctypes.POINTER(ctypes.c_uint)]
        self._x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
        self._x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                                 ctypes.POINTER(_XWindowAttributes)]
        self._x.XFree.argtypes = [ctypes.c_void_p]
        self._x.XInternAtom.restype = ctypes.c_ulong
        self._x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self._x.XGetWindowProperty.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
            ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)),
        ]
        self._x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        # A window can vanish between listing and asking about it: ignore X errors instead of exiting.
        handler_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
        self._handler = handler_type(lambda _d, _e: 0)
        self._x.XSetErrorHandler(self._handler)
        target = display or os.environ.get("DISPLAY")
        self._dpy = self._x.XOpenDisplay(target.encode() if target else None)
        if not self._dpy:
            raise RuntimeError(f"can't open X display {target!r}")
        self._root = self._x.XDefaultRootWindow(self._dpy)
        self._net_wm_name = self._x.XInternAtom(self._dpy, b"_NET_WM_NAME", 0)
        self._utf8 = self._x.XInternAtom(self._dpy, b"UTF8_STRING", 0)

    def close(self) -> None:
        if self._dpy:
            self._x.XCloseDisplay(self._dpy)
            self._dpy = None

    def __enter__(self) -> X11Probe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def windows(self) -> list[Window]:
        """Viewable top-level windows with a title (no window manager: children of the root)."""
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children = ctypes.POINTER(ctypes.c_ulong)()
        count = ctypes.c_uint()
        if not self._x.XQueryTree(self._dpy, self._root, ctypes.byref(root), ctypes.byref(parent),
                                  ctypes.byref(children), ctypes.byref(count)):
            return []
        found = []
        try:
            for i in range(count.value):
                win = children[i]
                attrs = _XWindowAttributes()
                if not self._x.XGetWindowAttributes(self._dpy, win, ctypes.byref(attrs)):
                    continue
                if attrs.map_state != _IS_VIEWABLE:
                    continue
                title = self._title(win)
                if title:
                    found.append(Window(win, title, attrs.width, attrs.height))
        finally:
            if children:
                self._x.XFree(children)
        return found

    def _title(self, win: int) -> str:
        # Qt writes a title with non-Latin-1 characters (like an em dash) only to _NET_WM_NAME (UTF-8).
        kind, fmt = ctypes.c_ulong(), ctypes.c_int()
        n_items, after = ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        ok = self._x.XGetWindowProperty(self._dpy, win, self._net_wm_name, 0, 1024, 0, self._utf8,
                                        ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(n_items),
                                        ctypes.byref(after), ctypes.byref(data)) == 0
        if data:
            try:
                if ok and n_items.value:
                    return bytes(data[: n_items.value]).decode("utf-8", "replace")
            finally:
                self._x.XFree(data)
        name = ctypes.c_char_p()
        if self._x.XFetchName(self._dpy, win, ctypes.byref(name)) and name.value:
            title = name.value.decode("latin-1")
            self._x.XFree(name)
            return title
        return ""

    def wait_for(self, title_part: str, timeout: float, *, min_size: int = 50,
                 interval: float = 0.002) -> Window | None:
        """The first viewable window whose title contains ``title_part`` and is bigger than a tray
        stub, or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for win in self.windows():
                if title_part in win.title and win.width >= min_size and win.height >= min_size:
                    return win
            if time.monotonic() > deadline:
                return None
            time.sleep(interval)

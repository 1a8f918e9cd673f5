"""Walks one application's accessibility tree over AT-SPI, as a screen reader sees it, and prints it as
JSON. Run by test_accessibility.py with the *system* Python (/usr/bin/python3), which has Debian's
python3-pyatspi; the test's virtualenv cannot import it.

Usage: /usr/bin/python3 atspi_walk.py PID
Prints a list of objects: role, name, description, states, screen rectangle, and the path of roles to it.
"""

from __future__ import annotations

import json
import sys
import time

import pyatspi  # type: ignore[import-not-found]

MAX_OBJECTS = 5000
# Rows of a table past the first few add nothing new (each cell is built the same way) and cost a D-Bus
# round trip each.
TABLE_CHILDREN = 60


def describe(obj, path):  # type: ignore[no-untyped-def]
    states = obj.getState()
    try:
        x, y, w, h = obj.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    except NotImplementedError:
        x = y = w = h = -1
    return {
        "role": obj.getRoleName(),
        "name": obj.name or "",
        "description": obj.description or "",
        "focusable": states.contains(pyatspi.STATE_FOCUSABLE),
        "showing": states.contains(pyatspi.STATE_SHOWING),
        "x": x, "y": y, "w": w, "h": h,
        "path": path,
    }


def walk(root):  # type: ignore[no-untyped-def]
    out, stack = [], [(root, "")]
    while stack and len(out) < MAX_OBJECTS:
        obj, path = stack.pop()
        if obj is None:
            continue
        # No error is skipped: an object the walk could not read might be the unnamed one.
        item = describe(obj, path)
        count = obj.childCount
        out.append(item)
        here = f"{path}/{item['role']}"
        if item["role"] in ("table", "tree table"):
            count = min(count, TABLE_CHILDREN)
        for i in reversed(range(count)):
            stack.append((obj.getChildAtIndex(i), here))
    return out


def main(pid: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and app.get_process_id() == pid:
                print(json.dumps(walk(app)))
                return 0
        time.sleep(0.5)
    print(f"application {pid} is not on the accessibility bus", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))

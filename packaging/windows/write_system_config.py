"""Write the machine-wide config.toml from installer properties (the MSI's custom action runs this).

    qc-write-config.exe --out "C:\\ProgramData\\Quarantine Checker\\config.toml"
                        --tenant-id contoso.com --client-id <GUID> --helpdesk "IT: x1234" [--lock]

IT deploys the MSI silently with ``TENANT_ID=... CLIENT_ID=... HELPDESK=... LOCK_SETTINGS=1``; the MSI
calls this (as SYSTEM) after copying the files. Values are checked exactly as the app checks them
(quarantine_checker.config), so a typo fails the deployment loudly (exit 2, the MSI rolls back) instead
of every user meeting a broken first start. Empty values are left out; keys already in the file and not
given here are kept, so a later upgrade without properties changes nothing.

Frozen as a second, small executable in the Windows bundle; plain Python, so it is tested on Linux.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

from quarantine_checker.config import _build, _toml_value, parse_tenant
from quarantine_checker.core.errors import ConfigurationError

HEADER = (
    "# Quarantine Checker: organisation settings for every user of this computer.\n"
    "# Written by the installer from its TENANT_ID, CLIENT_ID and HELPDESK properties.\n"
    "# See docs/configuration.md.\n"
)
ORDER = ("tenant_id", "client_id", "helpdesk", "locked")


def build_values(current: dict, tenant: str, client: str, helpdesk: str, lock: bool) -> dict:
    values = dict(current)
    if tenant.strip():
        values["tenant_id"] = parse_tenant(tenant)
    if client.strip():
        values["client_id"] = client.strip()
    if helpdesk.strip():
        values["helpdesk"] = helpdesk.strip()
    if lock:
        values["locked"] = sorted({"tenant_id", "client_id", *values.get("locked", [])})
    # Validate the whole result as the app will read it (raises ConfigurationError with plain words).
    checked = _build({k: v for k, v in values.items() if k != "locked"}, {}, [])
    if "client_id" in values:
        values["client_id"] = checked.client_id
    if "helpdesk" in values:
        values["helpdesk"] = checked.helpdesk
    return values


def render(values: dict) -> str:
    lines = [HEADER]
    for key in [*ORDER, *sorted(k for k in values if k not in ORDER)]:
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, list):
            lines.append(f"{key} = [{', '.join(_toml_value(v) for v in value)}]\n")
        else:
            lines.append(f"{key} = {_toml_value(value)}\n")
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write Quarantine Checker's machine-wide settings.")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--tenant-id", default="")
    parser.add_argument("--client-id", default="")
    parser.add_argument("--helpdesk", default="")
    parser.add_argument("--lock", default="", help="1/yes: users can't change tenant and client id")
    args = parser.parse_args(argv)
    current: dict = {}
    if args.out.is_file():
        try:
            current = tomllib.loads(args.out.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            current = {}  # a damaged file is replaced by a good one
    try:
        values = build_values(current, args.tenant_id, args.client_id, args.helpdesk,
                              args.lock.strip().lower() in {"1", "yes", "true", "on"})
    except ConfigurationError as exc:
        sys.stderr.write(f"Quarantine Checker settings not written: {exc}\n")
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(render(values), encoding="utf-8")
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

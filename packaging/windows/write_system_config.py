"""Write the machine-wide config.toml from installer properties (the MSI's custom action runs this).

    qc-write-config.exe --out "C:\\ProgramData\\Quarantine Checker\\config.toml" --secure-folder
                        --tenant-id contoso.com --client-id <GUID> --helpdesk "IT: x1234" [--lock]
                        [--service-url https://quarantine.contoso.com --service-scope api://<id>/Quarantine.Self]

IT deploys the MSI silently with ``TENANT_ID=... CLIENT_ID=... HELPDESK=... LOCK_SETTINGS=1`` (and, where
the organisation service is deployed, ``SERVICE_URL=... SERVICE_SCOPE=...``); the MSI
calls this (as SYSTEM) after copying the files. Values are checked exactly as the app checks them
(quarantine_checker.config), so a typo fails the deployment loudly (exit 2, the MSI rolls back) instead
of every user meeting a broken first start. Empty values are left out; keys already in the file and not
given here are kept, so a later upgrade without properties changes nothing.

The MSI runs it on every install, repair and upgrade, properties or not: ``--secure-folder`` gives the
ProgramData folder an explicit, non-inherited ACL (SYSTEM and Administrators full control, Users read),
since ProgramData lets any user create folders and files there before the installer does. The file is
written through a uniquely named temp file created exclusively in that folder (a predictable name could
be pre-created by a user), and an existing file not owned by SYSTEM/Administrators is not merged from.

Frozen as a second, small executable in the Windows bundle; plain Python, so it is tested on Linux.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

from quarantine_checker.config import _build, _toml_value, parse_tenant
from quarantine_checker.core.errors import ConfigurationError
from quarantine_checker.system_file_trust import ADMINISTRATORS_SID, SYSTEM_SID, distrust_reason

HEADER = (
    "# Quarantine Checker: organisation settings for every user of this computer.\n"
    "# Written by the installer from its TENANT_ID, CLIENT_ID and HELPDESK properties.\n"
    "# See docs/configuration.md.\n"
)
ORDER = ("tenant_id", "client_id", "helpdesk", "service_url", "service_scope", "locked")
USERS_SID = "S-1-5-32-545"


def folder_acl_commands(folder: Path) -> list[list[str]]:
    """icacls, in three steps (it takes one kind of change per call), all by SID so they work on every
    language of Windows: the owner becomes Administrators (a user may have made the folder first and
    could otherwise change its ACL back); /reset drops any explicit entry that user added; then the
    inherited entries (ProgramData's let users create files) are removed and only SYSTEM and
    Administrators full control, Users read, are granted, for the folder and what is created in it."""
    where = str(folder)
    return [
        ["icacls", where, "/setowner", f"*{ADMINISTRATORS_SID}", "/q"],
        ["icacls", where, "/reset", "/q"],
        ["icacls", where, "/inheritance:r", "/grant:r", f"*{SYSTEM_SID}:(OI)(CI)F",
         f"*{ADMINISTRATORS_SID}:(OI)(CI)F", f"*{USERS_SID}:(OI)(CI)RX", "/q"],
    ]


def secure_folder(folder: Path, run: Callable[[list[str]], int] | None = None,
                  platform: str | None = None) -> None:
    """Windows only (elsewhere the package manager's root-owned folder is already right)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (platform or sys.platform).startswith("win"):
        return
    runner = run or (lambda argv: subprocess.run(argv, check=False).returncode)
    for argv in folder_acl_commands(folder):
        code = runner(argv)
        if code != 0:
            raise OSError(f"{' '.join(argv[2:4])} failed ({code}) on {folder}")


def write_exclusively(out: Path, text: str) -> None:
    """A unique temp file created with O_EXCL in the target folder, then an atomic replace."""
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def build_values(current: dict, tenant: str, client: str, helpdesk: str, lock: bool,
                 service_url: str = "", service_scope: str = "") -> dict:
    values = dict(current)
    if service_url.strip():
        values["service_url"] = service_url.strip()
    if service_scope.strip():
        values["service_scope"] = service_scope.strip()
    if tenant.strip():
        values["tenant_id"] = parse_tenant(tenant)
    if client.strip():
        values["client_id"] = client.strip()
    if helpdesk.strip():
        values["helpdesk"] = helpdesk.strip()
    if lock:
        service = {"service_url", "service_scope"} if "service_url" in values else set()
        values["locked"] = sorted({"tenant_id", "client_id", *service, *values.get("locked", [])})
    # Validate the whole result as the app will read it (raises ConfigurationError with plain words).
    checked = _build({k: v for k, v in values.items() if k != "locked"}, {}, [])
    if "client_id" in values:
        values["client_id"] = checked.client_id
    if "helpdesk" in values:
        values["helpdesk"] = checked.helpdesk
    if "service_url" in values:
        values["service_url"], values["service_scope"] = checked.service_url, checked.service_scope
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
    parser.add_argument("--service-url", default="", help="the organisation service (the service road)")
    parser.add_argument("--service-scope", default="", help="its API scope, api://<id>/Quarantine.Self")
    parser.add_argument("--lock", default="", help="1/yes: users can't change tenant and client id")
    parser.add_argument("--secure-folder", action="store_true",
                        help="give the folder its ACL first (the MSI does, on every install)")
    args = parser.parse_args(argv)
    if args.secure_folder:
        try:
            secure_folder(args.out.parent)
        except OSError as exc:
            sys.stderr.write(f"Quarantine Checker settings folder not secured: {exc}\n")
            return 3
    lock = args.lock.strip().lower() in {"1", "yes", "true", "on"}
    given = (args.tenant_id, args.client_id, args.helpdesk, args.service_url, args.service_scope)
    if not (any(v.strip() for v in given) or lock):
        return 0  # nothing to write: an upgrade or repair without properties keeps the file as it is
    current: dict = {}
    if args.out.is_file() and distrust_reason(args.out) is None:
        try:
            current = tomllib.loads(args.out.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            current = {}  # a damaged file is replaced by a good one
    try:
        values = build_values(current, args.tenant_id, args.client_id, args.helpdesk, lock,
                              args.service_url, args.service_scope)
    except ConfigurationError as exc:
        sys.stderr.write(f"Quarantine Checker settings not written: {exc}\n")
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_exclusively(args.out, render(values))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A bug on the command line: plain words on stderr, and neither the log file nor --verbose output
carries a traceback or the exception's text (which may quote mail)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

SECRET = "Payslip for bob@northwind.example"


def test_unexpected_bug_leaves_no_mail_in_the_log_or_on_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for key in [k for k in os.environ if k.startswith("QC_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("QC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QC_CONFIG_DIR", str(tmp_path / "config"))
    from quarantine_checker.cli import commands
    from quarantine_checker.cli import main as cli

    def whoami_with_a_bug(ctx: commands.Context) -> int:  # stands in for any bug in any command
        raise ValueError(SECRET)

    monkeypatch.setattr(commands, "whoami", whoami_with_a_bug)
    try:
        rc = cli.main(["--demo", "--verbose", "whoami"])
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_qc_owned", False):
                logging.getLogger().removeHandler(handler)
                handler.close()

    assert rc != 0
    err = capsys.readouterr().err
    assert "went wrong" in err
    assert "Traceback" not in err and "Payslip" not in err
    log_text = (tmp_path / "data" / "logs" / "quarantine-checker-cli.log").read_text(encoding="utf-8")
    assert "ValueError" in log_text and "whoami_with_a_bug" in log_text  # enough for a bug report
    assert "Traceback" not in log_text and "Payslip" not in log_text and "bob@" not in log_text

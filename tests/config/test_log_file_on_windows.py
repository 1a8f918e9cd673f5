"""The log file's Windows behaviours, shown on Linux through the two seams where they differ: the
newline translation a text-mode file does on Windows, and a rename Windows refuses while another process
holds the file open. Not proven here: Windows' own file sharing rules."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from quarantine_checker import logging_setup
from quarantine_checker.logging_setup import CLI_LOG_FILE_NAME, LOG_FILE_NAME, setup_logging


@pytest.fixture
def clean_logging() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    before = list(root.handlers)
    yield root
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


def test_the_log_file_is_opened_without_newline_translation(tmp_path: Path, monkeypatch,
                                                             clean_logging: logging.Logger) -> None:
    # On Windows a text-mode file writes every "\n" as "\r\n": "\r\n" in a message became "\r\r\n".
    # Linux never translates, so what is checked is that the file is opened with translation off.
    opened: list[dict] = []
    real_fdopen = os.fdopen

    def recording_fdopen(fd: int, *args: object, **kwargs: object):
        opened.append(kwargs)
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", recording_fdopen)
    log_file = setup_logging(tmp_path / "logs")
    logging.getLogger("quarantine_checker").info("header line\r\nnext")
    assert opened and all(kw.get("newline") == "" for kw in opened)
    assert b"\r\r\n" not in log_file.read_bytes()


def test_the_command_line_logs_to_its_own_file(tmp_path: Path, clean_logging: logging.Logger) -> None:
    # One writer per file: Windows can't roll over a log another process (the tray app) holds open.
    assert LOG_FILE_NAME != CLI_LOG_FILE_NAME
    cli = setup_logging(tmp_path / "logs", file_name=CLI_LOG_FILE_NAME)
    logging.getLogger("quarantine_checker").info("from the command line")
    assert cli.name == CLI_LOG_FILE_NAME
    assert not (tmp_path / "logs" / LOG_FILE_NAME).exists()


def test_a_refused_rollover_loses_no_record_and_reports_no_error(tmp_path: Path, capsys,
                                                                 clean_logging: logging.Logger) -> None:
    log_file = setup_logging(tmp_path / "logs")
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_qc_owned", False)
                   and isinstance(h, logging_setup._PrivateRotatingFileHandler))

    def refuse(source: str, dest: str) -> None:  # what Windows says while another process has it open
        raise PermissionError(32, "The process cannot access the file because it is being used by another "
                                  "process", source)

    handler.rotator = refuse
    log = logging.getLogger("quarantine_checker.flood")
    for i in range(150):
        log.info("%04d %s", i, "x" * 10_000)  # ~1.5 MB: past the 1 MB limit
    text = log_file.read_text(encoding="utf-8")
    assert all(f"{i:04d} " in text for i in range(150))
    assert "Logging error" not in capsys.readouterr().err

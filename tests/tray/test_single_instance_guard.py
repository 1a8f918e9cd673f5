"""The single-instance guard: a lock in the data folder decides, the listener only carries "show".

Real QLockFile, real QLocalServer/QLocalSocket, the first instance in its own process. What Linux cannot
show: Windows' named pipes (two processes may listen on one name there). That is modelled by taking the
first instance's socket away, so a second listen would succeed as it does on Windows; the lock must still
keep the second launch out. The "other user" of the planted socket is this same user here (a real second
account is not available to the suite); what is proven is that the shared place is no longer consulted.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QDir

from quarantine_checker import APP_ID
from quarantine_checker.ui import single_instance
from quarantine_checker.ui.single_instance import SingleInstance, server_name

FIRST = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from quarantine_checker.ui.single_instance import SingleInstance
    app = QCoreApplication([])
    s = SingleInstance(sys.argv[1], lock_path=Path(sys.argv[2]))
    s.show_requested.connect(lambda: print("shown", flush=True))
    print("claimed" if s.claim() else "refused", flush=True)
    app.exec()
""")

# Someone else's listener under the old, predictable name in the shared temp folder: it says "ok" to
# everything, which used to make the real app believe it was already running and exit.
PLANTED = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtNetwork import QLocalServer
    app = QCoreApplication([])
    server = QLocalServer()
    QLocalServer.removeServer(sys.argv[1])
    assert server.listen(sys.argv[1]), server.errorString()
    def answer():
        conn = server.nextPendingConnection()
        conn.readyRead.connect(lambda: (conn.write(b"ok\\n"), conn.flush()))
    server.newConnection.connect(answer)
    print(server.fullServerName(), flush=True)
    app.exec()
""")


@pytest.fixture
def private_env(monkeypatch):
    # A short folder of its own: a Unix socket's path may hold at most 107 bytes, and pytest's tmp_path
    # (/tmp/pytest-of-root/pytest-NNN/<test name>/…) leaves too little room once the run count grows.
    # A real runtime directory (/run/user/1000) is short.
    base = Path(tempfile.mkdtemp(prefix="qc-si-"))
    run = base / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setenv("QC_DATA_DIR", str(base / "data"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _start(script: str, *args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    return proc, _read_line(proc)


def _read_line(proc: subprocess.Popen, timeout: float = 20.0) -> str:
    """The child's next line, or "" after ``timeout``: a child that never answers fails the test
    instead of hanging the suite."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().strip() if ready else ""


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(10)


def test_a_listener_planted_at_the_old_shared_place_does_not_stop_launch(private_env, qapp):
    old_name = f"{APP_ID}-{single_instance._digest(str(private_env / 'data'))}"
    planted, where = _start(PLANTED, old_name)
    try:
        assert where.startswith(QDir.tempPath())  # the shared folder the old code listened in
        guard = SingleInstance(parent=qapp)
        try:
            assert guard.claim(), "the app refused to start because of someone else's socket"
            folder = Path(guard.name).parent
            assert folder == private_env / "run" / APP_ID
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            assert guard.server.fullServerName() == guard.name
        finally:
            guard.close()
    finally:
        _stop(planted)


def test_without_a_runtime_dir_the_socket_stays_in_the_private_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("QC_DATA_DIR", str(tmp_path / "data"))
    name = Path(server_name(platform="linux"))
    assert name.parent == tmp_path / "data" / "run"
    assert stat.S_IMODE(name.parent.stat().st_mode) == 0o700
    assert not server_name(platform="win32").startswith(os.sep)  # a pipe name on Windows


def test_a_second_launch_hands_over_to_the_lock_holder(private_env, qapp):
    lock = private_env / "data" / "instance.lock"
    lock.parent.mkdir(parents=True)
    name = server_name()
    first, said = _start(FIRST, name, str(lock))
    try:
        assert said == "claimed"
        second = SingleInstance(name, qapp, lock_path=lock)
        assert not second.claim()
        assert _read_line(first) == "shown"
        assert not second.server.isListening()
    finally:
        _stop(first)


def test_the_lock_not_the_listener_keeps_a_second_instance_out(private_env, qapp):
    # On Windows a second process can listen on the same pipe name. Model it: take the first
    # instance's socket away, so listening would succeed; the second launch must still not run.
    lock = private_env / "data" / "instance.lock"
    lock.parent.mkdir(parents=True)
    name = server_name()
    first, said = _start(FIRST, name, str(lock))
    try:
        assert said == "claimed"
        Path(name).unlink()
        second = SingleInstance(name, qapp, lock_path=lock)
        assert not second.claim()
        assert not second.server.isListening()
    finally:
        _stop(first)


def test_a_crashed_instance_does_not_block_the_next_start(private_env, qapp):
    lock = private_env / "data" / "instance.lock"
    lock.parent.mkdir(parents=True)
    name = server_name()
    first, said = _start(FIRST, name, str(lock))
    assert said == "claimed"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert lock.exists() and Path(name).exists()  # both left behind, as after a crash
    guard = SingleInstance(name, qapp, lock_path=lock)
    try:
        assert guard.claim()
        assert guard.server.isListening()
    finally:
        guard.close()

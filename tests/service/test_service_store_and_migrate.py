"""The store: ``migrate`` creates the schema, ``serve`` refuses a database it would have to change, the
audit record cannot be edited, and a double release is refused by the database itself."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from quarantine_service.store import repo
from quarantine_service.store.db import Database, SchemaError, head_revision, migrate, require_current_schema
from quarantine_service.store.models import Action, Message

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ID = "11111111-2222-3333-4444-555555555555\\66666666-7777-8888-9999-000000000000"


def _config(tmp_path: Path, db: Path) -> Path:
    path = tmp_path / "service.toml"
    path.write_text(
        'tenant_id = "5f2b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"\n'
        'tenant_domain = "northwind.example"\n'
        'client_id = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"\n'
        'certificate = "service.pem"\n'
        f'database_url = "sqlite:///{db}"\n', encoding="utf-8")
    return path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "quarantine_service.cli", *args], capture_output=True,
                          text=True, timeout=60)


def test_migrate_command_creates_the_schema_and_serve_refuses_before_it(tmp_path: Path) -> None:
    db_file = tmp_path / "data" / "service.db"
    config = _config(tmp_path, db_file)

    refused = _cli("--config", str(config), "serve")
    assert refused.returncode == 1
    assert "quarantine-checker-service migrate" in refused.stderr
    assert "Traceback" not in refused.stderr

    done = _cli("--config", str(config), "migrate")
    assert done.returncode == 0, done.stderr
    assert f"empty -> {head_revision()}" in done.stdout
    db = Database(f"sqlite:///{db_file}")
    try:
        require_current_schema(db.engine)  # what serve checks: no exception now
        again = _cli("--config", str(config), "migrate")
        assert again.returncode == 0 and f"{head_revision()} -> {head_revision()}" in again.stdout
    finally:
        db.dispose()


def test_serve_refuses_an_outdated_schema(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    migrate(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(SchemaError) as info:
        require_current_schema(db.engine)
    assert info.value.code == "database_outdated"
    db.dispose()


def test_a_bad_config_is_reported_in_plain_words(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('tenant_id = "not-a-guid"\ntenant_domain = "x.example"\nclient_id = "y"\n'
                   'certificate = "c"\n')
    result = _cli("--config", str(bad), "migrate")
    assert result.returncode == 2
    assert "tenant_id must be a GUID" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(database.engine)
    yield database
    database.dispose()


def _message(db: Database) -> None:
    with db.session() as s:
        s.add(Message(identity=ID, first_seen=NOW, last_seen=NOW, change_seq=repo.next_seq(s)))


def test_the_audit_record_is_append_only(db: Database) -> None:
    with db.session() as s:
        repo.audit(s, NOW, "someone", "employee", "release", "sent", ID)
    with pytest.raises(Exception, match="append-only"), db.session() as s:
        s.execute(text("UPDATE audit SET outcome = 'changed'"))
    with db.session() as s:
        assert s.execute(text("SELECT outcome FROM audit")).scalar_one() == "sent"


def test_one_release_per_message_and_employee_is_a_database_constraint(db: Database) -> None:
    _message(db)
    with db.session() as s:
        s.add(Action(identity=ID, object_id="alice", address="alice@x", kind="release", state="pending",
                     created_at=NOW))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Action(identity=ID, object_id="alice", address="alice@x", kind="release", state="pending",
                     created_at=NOW))
        s.flush()
    with db.session() as s:  # another employee's release of the same message is their own
        s.add(Action(identity=ID, object_id="bob", address="bob@x", kind="release", state="pending",
                     created_at=NOW))


def test_change_numbers_only_grow(db: Database) -> None:
    with db.session() as s:
        first = repo.next_seq(s)
    with db.session() as s:
        second = repo.next_seq(s)
        assert repo.current_seq(s) == second
    assert second == first + 1

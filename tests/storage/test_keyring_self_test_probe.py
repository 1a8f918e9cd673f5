"""The keyring self-test probes under a service name of its own, never the data key's.

Why it matters is Windows: Credential Manager keeps one credential per service name and keyring moves the
existing one aside when another name is written under it, so a probe beside the data key, or two processes
probing at once, could race into a false "keyring failed". Windows' store cannot run here; the real Secret
Service does, and what it records (the service names written) is what is checked.
"""

from __future__ import annotations

import pytest

from quarantine_checker.storage.keyring_facade import SecretStore


class RecordingBackend:
    """The real Secret Service backend, with each call's service name noted on the way through."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.services: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.services.append(service)
        self.real.set_password(service, username, password)  # type: ignore[attr-defined]

    def get_password(self, service: str, username: str) -> str | None:
        self.services.append(service)
        return self.real.get_password(service, username)  # type: ignore[attr-defined]

    def delete_password(self, service: str, username: str) -> None:
        self.services.append(service)
        self.real.delete_password(service, username)  # type: ignore[attr-defined]


@pytest.mark.keyring
def test_the_self_test_never_writes_under_the_data_keys_service(secret_store: SecretStore) -> None:
    real = secret_store._call("load", lambda backend: backend)
    recorder = RecordingBackend(real)
    recorder.__class__.__module__ = type(real).__module__  # keep the backend's identity for the refusal check
    store = SecretStore(secret_store.service, backend=recorder)  # type: ignore[arg-type]
    first, second = store.self_test(), store.self_test()
    assert first.available and second.available
    assert recorder.services, "the probe went through the keyring"
    assert secret_store.service not in recorder.services
    assert len(set(recorder.services)) == 2, "each run probes under a name of its own"

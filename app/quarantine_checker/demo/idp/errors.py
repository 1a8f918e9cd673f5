"""Entra-shaped OAuth errors: the exception the IdP raises and the JSON body it becomes.

Entra appends trace id, correlation id and timestamp to every ``error_description`` and lists the
AADSTS number in ``error_codes``; the app's error mapping reads those, so the demo copies the shape.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

_AADSTS = re.compile(r"^AADSTS(\d+)")


class IdpError(Exception):
    """An OAuth error the handler turns into an Entra-shaped JSON reply."""

    def __init__(
        self,
        error: str,
        description: str,
        status: int = 400,
        *,
        suberror: str | None = None,
        claims: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.suberror = suberror
        self.claims = claims


def entra_timestamp(now: float | None = None) -> str:
    return datetime.fromtimestamp(now or time.time(), UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def error_body(exc: IdpError, *, trace_id: str, correlation_id: str, base_url: str) -> dict[str, Any]:
    """The JSON Entra sends for ``exc`` (token endpoint) or folds into a redirect (authorize)."""
    stamp = entra_timestamp(time.time())
    match = _AADSTS.match(exc.description)
    body: dict[str, Any] = {
        "error": exc.error,
        "error_description": f"{exc.description}\r\nTrace ID: {trace_id}\r\n"
        f"Correlation ID: {correlation_id}\r\nTimestamp: {stamp}",
        "error_codes": [int(match.group(1))] if match else [],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
    }
    if match:
        body["error_uri"] = f"{base_url}/error?code={match.group(1)}"
    if exc.suberror:
        body["suberror"] = exc.suberror
    if exc.claims:
        body["claims"] = exc.claims
    return body

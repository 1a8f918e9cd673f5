"""``quarantine-checker-service check``: proves the set-up, one plain-words line per part.

Certificate, signing keys, the app-only token, the Exchange role (a one-row listing), the quarantine
policies (and any TagName in the store that names an unknown one: those messages fail closed), and the
database. Each failure says what to fix, for IT; no tracebacks.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from quarantine_checker.core.errors import (
    AuthenticationError,
    ConfigurationError,
    NetworkError,
    NotAllowedError,
    QuarantineCheckerError,
)
from quarantine_checker.exchange.transport import make_session
from quarantine_service.app_token import AppTokenProvider, load_certificate
from quarantine_service.config import ServiceConfig
from quarantine_service.exchange import ServiceExchange
from quarantine_service.store.db import Database, SchemaError, require_current_schema
from quarantine_service.store.models import Message
from quarantine_service.sweep import iso_utc
from quarantine_service.tokens import KeySet, TokenError


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    words: str


def _certificate(config: ServiceConfig) -> CheckResult:
    try:
        load_certificate(config.certificate, config.certificate_key)
    except ConfigurationError as exc:
        reason = exc.details.get("reason")
        words = {
            "unreadable": f"The certificate file {config.certificate} cannot be read. Check the path in "
                          "'certificate' and that the service's account may read it.",
            "no_private_key": f"{config.certificate} has no private key the service can read (it must be "
                              "PEM and not password-protected).",
            "no_certificate": f"{config.certificate} holds a private key but no certificate.",
            "key_mismatch": f"The private key in {config.certificate} does not belong to its certificate.",
        }.get(str(reason), str(exc))
        return CheckResult("certificate", False, words)
    return CheckResult("certificate", True, "The certificate and its private key can be read.")


def _keys(config: ServiceConfig) -> CheckResult:
    keys = KeySet(config, make_session(config.ca_bundle), refetch_seconds=0)
    try:
        keys.refresh()
    except (TokenError, ValueError, OSError):
        return CheckResult("signing_keys", False,
                           f"The tenant's signing keys could not be read from {config.authority}. Check "
                           "tenant_id and authority_host, and that this machine can reach them.")
    return CheckResult("signing_keys", True,
                       "The tenant's signing keys can be read, so tokens can be checked.")


def _exchange(config: ServiceConfig) -> list[CheckResult]:
    http = make_session(config.ca_bundle)
    tokens = AppTokenProvider(config, http)
    try:
        tokens.access_token()
    except ConfigurationError:
        return [CheckResult("app_token", False, "The certificate could not be used to sign in (see above).")]
    except AuthenticationError as exc:
        if exc.details.get("code"):
            words = ("The identity provider refused the service's sign-in "
                     f"({exc.details['code']}). Check client_id, and that the certificate is uploaded to "
                     "the app registration and has not expired.")
        else:
            words = f"The identity provider at {config.authority} could not be reached."
        return [CheckResult("app_token", False, words)]
    results = [CheckResult("app_token", True, "The service signs in with its certificate.")]
    exchange = ServiceExchange(config, tokens, make_session(config.ca_bundle))
    now = datetime.now(UTC)
    try:
        exchange.list_page(iso_utc(now - timedelta(days=1)), iso_utc(now + timedelta(hours=1)), 1, 1)
    except (NotAllowedError, AuthenticationError):
        return [*results, CheckResult(
            "exchange_role", False,
            "Exchange refused the service's quarantine commands. Give the app the Exchange.ManageAsApp "
            "permission with admin consent, and assign its service principal a role that includes the "
            "quarantine cmdlets (see setup-guide).")]
    except NetworkError:
        return [*results, CheckResult("exchange_role", False,
                                      f"Exchange Online at {config.exchange_url} could not be reached.")]
    except QuarantineCheckerError as exc:
        return [*results, CheckResult(
            "exchange_role", False,
            f"Exchange answered the quarantine listing with an error ({type(exc).__name__}).")]
    results.append(CheckResult("exchange_role", True, "The service may list the tenant's quarantine."))
    try:
        policies = exchange.policies()
    except QuarantineCheckerError:
        results.append(CheckResult("policies", False, "The quarantine policies could not be read "
                                   "(Get-QuarantinePolicy). Without them no employee may release anything."))
        return results
    results.append(CheckResult("policies", bool(policies),
                               f"{len(policies)} quarantine policies read." if policies else
                               "No quarantine policy could be read: every message would fail closed."))
    results.append(_unknown_tags(config, set(policies)))
    return results


def _unknown_tags(config: ServiceConfig, known: set[str]) -> CheckResult:
    try:
        db = Database(config.database_url)
        with db.session() as s:
            tags = set(s.scalars(select(Message.tag_name).where(Message.gone_at.is_(None)).distinct()))
        db.dispose()
    except Exception:
        return CheckResult("unknown_policies", True, "No stored messages to compare with the policies yet.")
    unknown = sorted(t for t in tags if t not in known)
    if unknown:
        return CheckResult("unknown_policies", False,
                           "Held messages name quarantine policies the service cannot read, so nobody may "
                           f"release them themselves: {', '.join(unknown)}.")
    return CheckResult("unknown_policies", True, "Every held message names a policy the service knows.")


def _database(config: ServiceConfig) -> CheckResult:
    try:
        db = Database(config.database_url)
    except Exception:
        return CheckResult("database", False, f"The database address '{config.database_url}' cannot be used.")
    try:
        require_current_schema(db.engine)
    except SchemaError as exc:
        return CheckResult("database", False, exc.text)
    finally:
        db.dispose()
    return CheckResult("database", True, "The database is reachable and its schema is up to date.")


def run_checks(config: ServiceConfig) -> list[CheckResult]:
    results = [_certificate(config), _keys(config)]
    results += _exchange(config) if results[0].ok else [
        CheckResult("app_token", False, "The service cannot sign in without a usable certificate.")]
    results.append(_database(config))
    return results


def print_results(results: list[CheckResult], *, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps([asdict(r) for r in results], indent=2))
        return
    for result in results:
        print(f"[{'ok' if result.ok else 'FAILED'}] {result.name}: {result.words}")
    failed = sum(not r.ok for r in results)
    print("All checks passed." if not failed else f"{failed} check(s) failed.")

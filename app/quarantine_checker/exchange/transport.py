"""HTTPS to the InvokeCommand endpoint: headers, redirects, retries, and typed errors.

Treat this wire protocol as unsupported and brittle (spec §5): it is what the
ExchangeOnlineManagement module speaks, reproduced from public re-implementations.

Why each retry is safe
----------------------
* 401, 3xx, 429 and 503 are answered by the front door before the cmdlet runs, so even a
  Release may be sent again after one of them (a 429 means "not now", not "done").
* A 400 whose text says "throttl"/"temporar"/"busy" is the cmdlet being refused, not run: same.
* CommandNotFoundException for a cmdlet that exists is a known intermittent backend hiccup
  (CIPP retries it); the cmdlet did not run, so one retry is safe for any cmdlet.
* A connection that could not be opened (refused, connect timeout) never carried the request:
  safe to retry for anything.
* A connection that dropped, or a read that timed out, *after* the request was sent may have
  been processed. Reads are retried a few times; a Release/Delete is never retried blindly, the
  caller gets NetworkError and re-reads the message to see what happened.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import platform
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions

from quarantine_checker import __version__
from quarantine_checker.core.account import TokenProvider
from quarantine_checker.core.errors import (
    AuthenticationError,
    CommandError,
    MalformedResponseError,
    NetworkError,
    NoDirectAccessError,
    NotAllowedError,
    QuarantineCheckerError,
    ServiceError,
    SlowServiceError,
    ThrottledError,
)
from quarantine_checker.core.text_safety import needs_json_scrub, scrub_json
from quarantine_checker.exchange import guard
from quarantine_checker.exchange.error_parsing import (
    MAX_TEXT,
    ServerError,
    classify,
    is_command_not_found,
    is_throttle_text,
    parse_error_body,
)
from quarantine_checker.exchange.ratelimit import TokenBucket
from quarantine_checker.exchange.retry import RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)

CLIENT_APPLICATION = f"QuarantineChecker/{__version__}"
USER_AGENT = (f"{CLIENT_APPLICATION} ({platform.system() or 'unknown'}; "
              f"python-requests/{requests.__version__})")
MAX_REDIRECTS = 3
MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # a 1000-row page is ~2 MB; anything near this is not a page
MODULE_VERSION = "3.7.1"
_REDIRECTS = {301, 302, 303, 307, 308}
_RESPONSE_ID_HEADERS = ("request-id", "client-request-id", "x-ms-request-id", "x-ms-correlation-id",
                        "x-diaginfo", "x-beserver", "x-feserver", "x-calculatedbetarget")


@dataclass(frozen=True)
class Timeouts:
    """``connect``/``read`` bound one request; ``total`` bounds one call with its retries, so a service
    that answers too slowly is reported once, within this time, not after every retry's full wait."""

    connect: float = 10.0
    read: float = 60.0
    total: float = 90.0


class _NotSent(Exception):
    """The connection could not be opened: the request never left."""


class _MaybeSent(Exception):
    """The connection failed after the request may have been delivered."""


class _TimedOut(_MaybeSent):
    """The request went out and no answer came within the read timeout: the service is slow."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _site(host: str) -> str:
    labels = host.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


def redirect_allowed(original_host: str, new_host: str) -> bool:
    """Only follow a redirect (and re-send the token) to the same site: never to a stranger.

    Exchange's regional redirects go from outlook.office365.com to <prefix>.outlook.office365.com;
    the demo tenant goes from 127.0.0.1 to localhost. Both pass; anything else is refused.
    """
    original_host, new_host = original_host.lower(), new_host.lower()
    if new_host == original_host:
        return True
    if _is_loopback(original_host) and _is_loopback(new_host):
        return True
    try:
        ipaddress.ip_address(original_host.strip("[]"))
        return False  # an IP address has no "site" to share
    except ValueError:
        pass
    return new_host.endswith("." + _site(original_host))


def make_session(ca_bundle: str | Path | None = None) -> requests.Session:
    session = requests.Session()
    if ca_bundle is not None:
        session.verify = str(ca_bundle)
        session.trust_env = False  # REQUESTS_CA_BUNDLE / proxies from the environment must not override
    return session


class Transport:
    """One signed-in user's connection to one tenant. Thread-safe enough for one worker thread."""

    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        upn: str,
        tokens: TokenProvider,
        *,
        session: requests.Session | None = None,
        ca_bundle: str | Path | None = None,
        timeouts: Timeouts | None = None,
        rate_limit_per_second: float | None = 1.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        check: Callable[[str, Mapping[str, Any]], None] = guard.check_command,
        anchor_mailbox: str | None = None,
    ) -> None:
        """``check`` is the allow-list every body passes before it is sent: the desktop's (own mail,
        delegated) by default; the organisation service passes its app-only one. ``anchor_mailbox``
        replaces the delegated ``UPN:<upn>`` routing hint (app-only callers have no mailbox)."""
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("base_url must be an https URL")
        self._original_port = parts.port or 443
        self._original_host = parts.hostname
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = parts.path
        self._tenant = quote(tenant_id, safe="")
        self._upn = upn
        self._anchor = anchor_mailbox or f"UPN:{upn}"
        self._check = check
        self._tokens = tokens
        if session is None:
            session = make_session(ca_bundle)
        elif ca_bundle is not None:
            session.verify = str(ca_bundle)
            session.trust_env = False
        self.session = session
        self.timeouts = timeouts or Timeouts()
        self.bucket = TokenBucket(rate_limit_per_second)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.requests_sent = 0

    # ----------------------------------------------------------------------------------- public
    @property
    def origin(self) -> str:
        """scheme://host:port every call goes to (changes once when a redirect pins a new host)."""
        return self._origin

    def invoke(self, cmdlet: str, parameters: Mapping[str, Any], *, idempotent: bool,
               throttle_attempts: int | None = None) -> dict[str, Any]:
        """Run one cmdlet. Returns the decoded 200 body (a dict). Raises only QuarantineCheckerError.

        ``throttle_attempts`` overrides the policy's ``max_attempts`` for this call (1: report a 429 at
        once, for a caller that paces itself by its Retry-After)."""
        self._check(cmdlet, parameters)  # before anything else: nothing off-list is ever sent
        body = json.dumps({"CmdletInput": {"CmdletName": cmdlet, "Parameters": dict(parameters)}},
                          ensure_ascii=False).encode("utf-8")
        path = f"{self._base_path}/adminapi/beta/{self._tenant}/InvokeCommand"
        return self._call("POST", path, body, cmdlet=cmdlet, idempotent=idempotent, extra_headers={},
                          throttle_attempts=throttle_attempts)

    def module_file(self) -> dict[str, Any]:
        """GET EXOModuleFile: the cmdlets this user's session would export (spec §5.8)."""
        path = f"{self._base_path}/adminapi/v1.0/{self._tenant}/EXOModuleFile?Version={MODULE_VERSION}"
        return self._call("GET", path, None, cmdlet="EXOModuleFile", idempotent=True,
                          extra_headers={"CommandName": "*"})

    # ---------------------------------------------------------------------------------- internals
    def _headers(self, token: str, request_id: str, extra: Mapping[str, str],
                 has_body: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "X-ResponseFormat": "json",
            "X-AnchorMailbox": self._anchor,
            "Prefer": "odata.maxpagesize=1000",
            "client-request-id": request_id,
            "X-ClientApplication": CLIENT_APPLICATION,
            "User-Agent": USER_AGENT,
            **extra,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _facts(self, cmdlet: str, request_id: str, resp: requests.Response | None = None,
               err: ServerError | None = None) -> dict[str, Any]:
        """Non-secret details for 'Copy details for IT'. Never the token, never a request body."""
        facts: dict[str, Any] = {"cmdlet": cmdlet, "client_request_id": request_id,
                                 "host": urlsplit(self._origin).netloc}
        if resp is not None:
            facts["status"] = resp.status_code
            for name in _RESPONSE_ID_HEADERS:
                value = resp.headers.get(name)
                if value:
                    facts[name.replace("-", "_")] = value[:200]
        if err is not None:
            facts["server_message"] = err.text or None
            facts["server_error_type"] = err.type_name or None
            facts["server_error_code"] = err.code or None
        return facts

    def _call(self, method: str, path: str, body: bytes | None, *, cmdlet: str, idempotent: bool,
              extra_headers: Mapping[str, str], throttle_attempts: int | None = None) -> dict[str, Any]:
        max_throttled = throttle_attempts or self.retry.max_attempts
        deadline = time.monotonic() + self.timeouts.total
        throttled = 0
        network_failures = 0
        refreshed = False
        force_refresh = False
        command_not_found_retried = False
        while True:
            request_id = str(uuid.uuid4())
            try:
                token = self._tokens.access_token(force_refresh=force_refresh)
            except QuarantineCheckerError:
                raise
            except Exception as exc:  # a provider bug must not surface as a traceback
                raise AuthenticationError("Could not get a sign-in token", cmdlet=cmdlet,
                                          cause=type(exc).__name__) from exc
            force_refresh = False
            try:
                resp, content = self._send_following_redirects(method, path, body, token, request_id,
                                                               extra_headers, cmdlet, deadline)
            except (_NotSent, _MaybeSent) as exc:
                never_sent = isinstance(exc, _NotSent)
                network_failures += 1
                in_time = time.monotonic() < deadline
                if (never_sent or idempotent) and network_failures <= self.retry.network_retries and in_time:
                    wait = self.retry.backoff(network_failures)
                    log.info("%s: connection problem (%s), retry %d in %.1fs", cmdlet, exc,
                             network_failures, wait)
                    self._sleep(wait)
                    continue
                if isinstance(exc, _TimedOut):
                    raise SlowServiceError(
                        "Exchange Online is answering too slowly", cmdlet=cmdlet,
                        client_request_id=request_id,
                        reason=str(exc), attempts=network_failures, time_budget_seconds=self.timeouts.total,
                        may_have_been_processed=True,
                    ) from None
                raise NetworkError(
                    "Could not reach Exchange Online", cmdlet=cmdlet, client_request_id=request_id,
                    reason=str(exc), may_have_been_processed=(not never_sent) or None,
                ) from None

            status = resp.status_code
            log.info("%s -> HTTP %d (client-request-id %s, request-id %s, %d bytes)", cmdlet, status,
                     request_id, resp.headers.get("request-id", "-"), len(content))

            if status == 401:
                refusal = _refused_call(resp, content, token_suspect=not refreshed)
                if refusal is not None:
                    # The account may not call this at all: a fresh token or a new sign-in cannot help.
                    raise NoDirectAccessError("This account may not run the quarantine commands",
                                              **self._facts(cmdlet, request_id, resp, refusal))
                if refreshed:
                    raise AuthenticationError("Exchange Online refused the sign-in token twice",
                                              **self._facts(cmdlet, request_id, resp))
                refreshed = True
                force_refresh = True
                log.info("%s: 401, asking for a fresh token once", cmdlet)
                continue

            err = None if 200 <= status < 300 else parse_error_body(content)

            if status in (429, 503) or (status >= 400 and is_throttle_text(err)):
                throttled += 1
                server_wait = parse_retry_after(resp.headers.get("Retry-After"))
                wait = server_wait if server_wait is not None else self.retry.backoff(throttled)
                if throttled >= max_throttled or wait > self.retry.retry_after_cap:
                    raise ThrottledError("Exchange Online is busy; try again later",
                                         retry_after=wait, attempts=throttled,
                                         **self._facts(cmdlet, request_id, resp, err))
                log.info("%s: throttled (HTTP %d), attempt %d, waiting %.1fs",
                         cmdlet, status, throttled, wait)
                deadline += wait  # a wait the service asked for is not the service being slow
                self._sleep(wait)
                continue

            if 200 <= status < 300:
                return self._decode_ok(content, cmdlet, request_id, resp)

            if is_command_not_found(err) and not command_not_found_retried:
                command_not_found_retried = True
                log.info("%s: CommandNotFoundException, retrying once", cmdlet)
                continue

            if status in (502, 504) and idempotent and network_failures < self.retry.network_retries:
                network_failures += 1
                wait = self.retry.backoff(network_failures)
                log.info("%s: HTTP %d from the front door, retry in %.1fs", cmdlet, status, wait)
                self._sleep(wait)
                continue

            raise self._error_for(status, err, cmdlet, request_id, resp)

    def _error_for(self, status: int, err: ServerError | None, cmdlet: str, request_id: str,
                   resp: requests.Response) -> QuarantineCheckerError:
        facts = self._facts(cmdlet, request_id, resp, err)
        if is_command_not_found(err):
            return NotAllowedError("This command is not available to your account", **facts)
        if err is not None:
            cls = classify(err)
            if cls is not None:
                facts.pop("server_message", None)
                return cls(server_message=err.text, **facts)
        if status == 403:
            # Non-JSON 403 (the NUL-byte body) or an unrecognised refusal: PowerShell access
            # disabled, Conditional Access or RBAC. The user cannot fix this; IT can.
            return NotAllowedError("Your organisation does not allow this", **facts)
        if status >= 500:
            return ServiceError("Exchange Online had a problem", **facts)
        if status in (400, 404, 409, 422) and err is not None:
            facts.pop("server_message", None)
            return CommandError(server_message=err.text or "The command failed", **facts)
        if 300 <= status < 400:
            return ServiceError("Exchange Online sent an unusable redirect", **facts)
        if err is None and status >= 400:
            return ServiceError(f"Exchange Online answered HTTP {status}", **facts)
        return ServiceError(f"Unexpected answer HTTP {status}", **facts)

    def _decode_ok(self, content: bytes, cmdlet: str, request_id: str,
                   resp: requests.Response) -> dict[str, Any]:
        try:
            payload = json.loads(content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise MalformedResponseError("Exchange Online sent a reply we cannot read",
                                         reason="not JSON", **self._facts(cmdlet, request_id, resp)) from None
        if not isinstance(payload, dict):
            raise MalformedResponseError("Exchange Online sent a reply we cannot read",
                                         reason="JSON is not an object",
                                         **self._facts(cmdlet, request_id, resp))
        if needs_json_scrub(content):
            # Once, here: no string from the service reaches a terminal, a log or Qt as invalid Unicode.
            scrubbed: dict[str, Any] = scrub_json(payload)  # the same shape, its strings cleaned
            return scrubbed
        return payload

    def _send_following_redirects(self, method: str, path: str, body: bytes | None, token: str,
                                  request_id: str, extra_headers: Mapping[str, str],
                                  cmdlet: str, deadline: float) -> tuple[requests.Response, bytes]:
        url = self._origin + path
        headers = self._headers(token, request_id, extra_headers, body is not None)
        for _hop in range(MAX_REDIRECTS + 1):
            resp, content = self._send_once(method, url, headers, body, deadline)
            if resp.status_code not in _REDIRECTS:
                return resp, content
            url = self._follow(url, resp, cmdlet, request_id)
        raise ServiceError("Exchange Online redirected too many times", cmdlet=cmdlet,
                           client_request_id=request_id, redirects=MAX_REDIRECTS)

    def _follow(self, current: str, resp: requests.Response, cmdlet: str, request_id: str) -> str:
        location = resp.headers.get("Location", "")
        target = urlsplit(urljoin(current, location)) if location else None
        if target is None or target.scheme != "https" or not target.hostname:
            raise ServiceError("Exchange Online sent an unusable redirect",
                               **self._facts(cmdlet, request_id, resp))
        if not redirect_allowed(self._original_host, target.hostname):
            raise ServiceError("Exchange Online redirected to an unexpected host; not following",
                               redirect_host=target.hostname[:100], **self._facts(cmdlet, request_id, resp))
        port = target.port or 443
        if port == 446:
            # The regional front door advertises :446 but serves on the original port (443 in production).
            port = self._original_port
        host = target.hostname
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        new_url = urlunsplit(("https", netloc, target.path, target.query, ""))
        # Affinity cookie: the jar keeps it for the host that set it; the redirect target is the
        # same site (checked above), so carry it there as well. http.cookiejar files a single-label
        # host such as "localhost" under "localhost.local", so the copy has to use that name.
        jar_domain = host if "." in host or ":" in host else f"{host}.local"
        for cookie in resp.cookies:
            if cookie.value is None:  # nothing to carry (and requests' set() reads None as "remove")
                continue
            self.session.cookies.set(cookie.name, cookie.value, domain=jar_domain, path=cookie.path or "/",
                                     secure=cookie.secure)
        self._origin = f"https://{netloc}"  # pinned for every later call of this client
        log.info("%s: HTTP %d redirect followed, host pinned to %s", cmdlet, resp.status_code, netloc)
        return new_url

    def _send_once(self, method: str, url: str, headers: dict[str, str],
                   body: bytes | None, deadline: float) -> tuple[requests.Response, bytes]:
        self.bucket.acquire()
        self.requests_sent += 1
        # What is left of the call's budget bounds this request too (never below a sliver, so a
        # last try after a throttle wait still gets a chance).
        left = max(deadline - time.monotonic(), 0.1)
        try:
            resp = self.session.request(
                method, url, headers=headers, data=body, allow_redirects=False, stream=True,
                timeout=(min(self.timeouts.connect, left), min(self.timeouts.read, left)),
            )
        except requests.exceptions.SSLError as exc:
            # A certificate problem will not fix itself; but it also means nothing was sent.
            raise NetworkError("Could not open a secure connection to Exchange Online",
                               reason="TLS verification failed") from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise _NotSent("connect timeout") from exc
        except requests.exceptions.ConnectionError as exc:
            raise (_NotSent if _never_connected(exc) else _MaybeSent)(_short_reason(exc)) from exc
        except requests.exceptions.Timeout as exc:
            raise _TimedOut("read timeout") from exc
        except requests.exceptions.RequestException as exc:
            raise _MaybeSent(_short_reason(exc)) from exc
        try:
            content = _read_capped(resp)
        except requests.exceptions.RequestException as exc:
            raise _MaybeSent("connection lost while reading the answer") from exc
        except _TooLarge:
            raise MalformedResponseError("Exchange Online sent a reply that is far too large",
                                         status=resp.status_code, limit_bytes=MAX_RESPONSE_BYTES) from None
        finally:
            resp.close()
        return resp, content


_NOT_ALLOWED_TO_CALL = re.compile(r"\bnot allowed to call\b", re.IGNORECASE)


def _refused_call(resp: requests.Response, content: bytes, *, token_suspect: bool) -> ServerError | None:
    """The error of a 401 that refuses the *call*, not the token (org-service.md §1.1), else None.

    Exchange then says in a JSON body that the user "is not allowed to call" the cmdlet. A 401 that also
    carries ``WWW-Authenticate: ... error="invalid_token"`` is first taken for a token problem
    (``token_suspect``: one silent refresh); if the fresh token meets the same words, it is the call.
    """
    if token_suspect and "invalid_token" in resp.headers.get("WWW-Authenticate", "").lower():
        return None
    err = parse_error_body(content)
    if err is None or not _NOT_ALLOWED_TO_CALL.search(err.text):
        return None
    return err


class _TooLarge(Exception):
    pass


def _read_capped(resp: requests.Response) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in resp.iter_content(chunk_size=256 * 1024):
        total += len(chunk)
        if total > MAX_RESPONSE_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    content = b"".join(chunks)
    resp._content = content  # so resp.text/.json() still work for callers that want them
    return content


def _never_connected(exc: BaseException) -> bool:
    """True when the socket was never established (refused, DNS), so no byte of the request left."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError):
            return True
        if isinstance(cur, urllib3.exceptions.MaxRetryError) and cur.reason is not None:
            cur = cur.reason
            continue
        cur = cur.__context__ or cur.__cause__ or (cur.args[0] if cur.args and
                                                   isinstance(cur.args[0], BaseException) else None)
    return False


def _short_reason(exc: BaseException) -> str:
    # Exception text can include the URL but never headers or bodies; keep it short anyway.
    return f"{type(exc).__name__}: {str(exc)[:MAX_TEXT // 2]}"

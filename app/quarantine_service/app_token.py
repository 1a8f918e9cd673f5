"""The service's app-only token for Exchange: msal's confidential client with a certificate.

Never a client secret (org-service.md §3). The certificate file is PEM with the private key and the
certificate; msal signs a client assertion with it, exactly as on a real tenant.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from urllib.parse import urlsplit

import msal
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from quarantine_checker.core.errors import AuthenticationError, ConfigurationError
from quarantine_service.config import ServiceConfig

log = logging.getLogger(__name__)

# Hosts where msal's instance discovery works; any other authority (the demo tenant) skips it.
_DISCOVERY_HOSTS = {"login.microsoftonline.com", "login.microsoftonline.us",
                    "login.partner.microsoftonline.cn"}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigurationError("The certificate file cannot be read", reason="unreadable", file=str(path),
                                 error=exc.strerror or type(exc).__name__) from None


def load_certificate(path: Path, key_path: Path | None = None) -> dict[str, str]:
    """msal's client_credential from a PEM certificate and its private key (in the same file, or in
    ``key_path``)."""
    data = _read(path)
    key_data = _read(key_path) if key_path is not None else data
    try:
        key = serialization.load_pem_private_key(key_data, password=None)
    except (ValueError, TypeError):
        raise ConfigurationError("The certificate file has no readable private key",
                                 reason="no_private_key") from None
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise ConfigurationError("The certificate file has no certificate", reason="no_certificate") from None
    cert_pub = cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
    key_pub = key.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    if cert_pub != key_pub:
        raise ConfigurationError("The private key does not belong to the certificate", reason="key_mismatch")
    der = cert.public_bytes(serialization.Encoding.DER)
    return {
        "private_key": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode("ascii"),
        "thumbprint": hashlib.sha1(der).hexdigest(),  # noqa: S324 - x5t is SHA-1 by definition
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    }


class AppTokenProvider:
    """quarantine_checker.core.account.TokenProvider for the app-only Exchange token."""

    def __init__(self, config: ServiceConfig, http: requests.Session) -> None:
        self._config = config
        self._http = http
        self._lock = threading.Lock()
        self._app: msal.ConfidentialClientApplication | None = None
        self.scopes = [f"{config.exchange_resource.rstrip('/')}/.default"]

    def _build(self) -> msal.ConfidentialClientApplication:
        host = (urlsplit(self._config.authority_host).hostname or "").lower()
        try:
            return msal.ConfidentialClientApplication(
                self._config.client_id, authority=self._config.authority,
                client_credential=load_certificate(self._config.certificate, self._config.certificate_key),
                http_client=self._http,
                instance_discovery=host in _DISCOVERY_HOSTS,
            )
        except ValueError as exc:  # msal: bad authority or unreadable metadata
            raise ConfigurationError("The sign-in authority could not be used", reason="authority",
                                     error=type(exc).__name__) from None
        except requests.RequestException as exc:
            raise AuthenticationError("The identity provider could not be reached",
                                      error=type(exc).__name__) from None

    def access_token(self, *, force_refresh: bool = False) -> str:
        with self._lock:
            if self._app is None:
                self._app = self._build()
            if force_refresh:
                cache = self._app.token_cache
                for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                    cache.remove_at(item)
            try:
                result = self._app.acquire_token_for_client(scopes=self.scopes)
            except requests.RequestException as exc:
                raise AuthenticationError("The identity provider could not be reached",
                                          error=type(exc).__name__) from None
        token = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(token, str) or not token:
            code = result.get("error") if isinstance(result, dict) else None
            log.warning("app-only token refused: %s", code)
            raise AuthenticationError("The identity provider refused the service's certificate",
                                      code=str(code or "unknown")[:64])
        return token

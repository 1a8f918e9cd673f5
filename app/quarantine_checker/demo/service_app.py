"""The organisation service's app registration in the demo tenant (org-service.md §3).

What IT would set up in Entra for the service, in one record:

- a **confidential client** (``client_id``) whose only credential is a **certificate** (no secret);
  the demo makes a self-signed one at start and writes it to the tenant's temp folder;
- an **API** with the App ID URI ``api://<client id>``, a delegated scope ``Quarantine.Self`` that
  employees consent to, and an app role ``Quarantine.Reviewer`` assigned to IT staff (carried in
  the ``roles`` claim of their tokens for this API). Tokens for this API are v2 tokens
  (``accessTokenAcceptedVersion: 2``): ``aud`` = the client id, ``iss`` = the IdP's v2 issuer;
- the **application permission** ``Exchange.ManageAsApp`` with admin consent, and a **directory
  role** for its service principal that includes the quarantine cmdlets (Security Administrator by
  default). Without the permission Exchange answers 401; with it but without a role, 403
  (graph2otel, live; exchange-quarantine-api.md §5.6).

Tests and the control API change the consent, the role and the reviewers at run time.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SERVICE_CLIENT_ID = "7c3e9a51-2b4d-4f60-9e1a-5d8c7b6a4f32"
SERVICE_DISPLAY_NAME = "Quarantine Checker organisation service"
SELF_SCOPE = "Quarantine.Self"
REVIEWER_ROLE = "Quarantine.Reviewer"
EXCHANGE_APP_ROLE = "Exchange.ManageAsApp"
# Directory roles that hold the quarantine cmdlets (exchange-quarantine-api.md §1.3). Exchange
# Administrator alone does not, since MC447339 (Feb 2023).
QUARANTINE_DIRECTORY_ROLES = frozenset(
    {"Security Administrator", "Global Administrator", "Organization Management", "Quarantine Administrator"}
)
DEFAULT_DIRECTORY_ROLE = "Security Administrator"
# The app-only routing hint (CIPP uses it; org-service.md §3 says to verify on a real tenant).
APP_ANCHOR_MAILBOX = "APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{domain}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ClientCertificate:
    """A certificate credential: the PEM files and the thumbprints Entra shows for it."""

    cert_file: Path
    key_file: Path
    certificate: x509.Certificate

    @property
    def sha1_thumbprint(self) -> str:
        """Upper-case hex, as the Entra portal shows it (msal's ``thumbprint`` takes this)."""
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - x5t is SHA-1 by RFC 7515

    @property
    def sha256_thumbprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex().upper()

    def x5t(self) -> str:
        """The ``x5t`` JWT header value msal sends with a SHA-1 thumbprint."""
        return _b64url(self.certificate.fingerprint(hashes.SHA1()))  # noqa: S303 - RFC 7515 x5t

    def x5t_s256(self) -> str:
        """The ``x5t#S256`` JWT header value msal sends when it is given the certificate."""
        return _b64url(self.certificate.fingerprint(hashes.SHA256()))


def make_client_certificate(
    out_dir: Path, key: rsa.RSAPrivateKey, *, name: str = SERVICE_DISPLAY_NAME, stem: str = "service"
) -> ClientCertificate:
    """A self-signed client certificate (Entra checks no chain) written as ``<stem>-cert.pem`` and
    ``<stem>-key.pem`` (mode 0600) in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = out_dir / f"{stem}-cert.pem", out_dir / f"{stem}-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.touch(mode=0o600)
    key_file.chmod(0o600)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ClientCertificate(cert_file, key_file, cert)


@dataclass
class ServiceApp:
    """The service's registration and service principal. Mutable; guarded by ``lock``."""

    client_id: str = SERVICE_CLIENT_ID
    display_name: str = SERVICE_DISPLAY_NAME
    # The service principal's object id: the ``oid``/``sub`` of its app-only tokens.
    sp_object_id: str = field(default_factory=lambda: str(uuid.uuid5(uuid.NAMESPACE_URL, "qc-demo:sp")))
    certificates: list[ClientCertificate] = field(default_factory=list)
    exchange_app_roles: set[str] = field(default_factory=lambda: {EXCHANGE_APP_ROLE})
    directory_roles: set[str] = field(default_factory=lambda: {DEFAULT_DIRECTORY_ROLE})
    reviewers: set[str] = field(default_factory=set)  # UPNs, lower case
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def app_id_uri(self) -> str:
        return f"api://{self.client_id}"

    @property
    def api_scope(self) -> str:
        return f"{self.app_id_uri}/{SELF_SCOPE}"

    def names_this_api(self, resource: str) -> bool:
        """Whether a scope's resource part names this API (App ID URI or bare client id)."""
        return resource.rstrip("/").lower() in {self.app_id_uri.lower(), self.client_id.lower()}

    def certificate_for(self, *, x5t: str | None, x5t_s256: str | None) -> ClientCertificate | None:
        """The registered certificate a client assertion's header names. msal pads its base64url
        thumbprints with "=", RFC 7515 does not; both forms are accepted."""
        x5t, x5t_s256 = (x5t or "").rstrip("="), (x5t_s256 or "").rstrip("=")
        with self.lock:
            for cert in self.certificates:
                if (x5t_s256 and x5t_s256 == cert.x5t_s256()) or (x5t and x5t == cert.x5t()):
                    return cert
        return None

    def holds_quarantine_role(self) -> bool:
        with self.lock:
            return bool(self.directory_roles & QUARANTINE_DIRECTORY_ROLES)

    def app_roles_on_exchange(self) -> list[str]:
        with self.lock:
            return sorted(self.exchange_app_roles)

    def roles_of(self, upn: str) -> list[str]:
        """The app roles of this API assigned to a user (the ``roles`` claim of their token)."""
        with self.lock:
            return [REVIEWER_ROLE] if upn.lower() in self.reviewers else []

    def assign_reviewer(self, upn: str, assigned: bool = True) -> None:
        with self.lock:
            if assigned:
                self.reviewers.add(upn.lower())
            else:
                self.reviewers.discard(upn.lower())

    def set_directory_role(self, role: str | None) -> None:
        """Give the service principal exactly this directory role (``None``: none at all)."""
        with self.lock:
            self.directory_roles = {role} if role else set()

    def set_exchange_consent(self, granted: bool) -> None:
        """Admin consent for ``Exchange.ManageAsApp`` granted or revoked (affects new tokens)."""
        with self.lock:
            self.exchange_app_roles = {EXCHANGE_APP_ROLE} if granted else set()

    def registration(self) -> dict[str, Any]:
        with self.lock:
            return {
                "client_id": self.client_id,
                "display_name": self.display_name,
                "service_principal_object_id": self.sp_object_id,
                "app_id_uri": self.app_id_uri,
                "api_scope": self.api_scope,
                "reviewer_role": REVIEWER_ROLE,
                "reviewers": sorted(self.reviewers),
                "exchange_app_roles": sorted(self.exchange_app_roles),
                "directory_roles": sorted(self.directory_roles),
            }

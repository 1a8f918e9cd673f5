"""OpenID discovery documents: what MSAL reads to find the demo tenant's endpoints."""

from __future__ import annotations

from typing import Any

from quarantine_checker.demo.directory import Directory
from quarantine_checker.demo.idp.tokens import DEVICE_CODE_GRANT


def openid_configuration(base_url: str, tenant: str, issuer: str) -> dict[str, Any]:
    """``/{tenant}/v2.0/.well-known/openid-configuration``; endpoints keep the tenant as asked."""
    root = f"{base_url}/{tenant}"
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
        "token_endpoint": f"{root}/oauth2/v2.0/token",
        "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
        "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
        "jwks_uri": f"{root}/discovery/v2.0/keys",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            DEVICE_CODE_GRANT,
            "client_credentials",
        ],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "PS256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "nonce",
            "tid",
            "oid",
            "name",
            "preferred_username",
            "upn",
            "email",
            "scp",
            "roles",
        ],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "northwind.example",
    }


def instance_metadata(host: str, port: int, authority: str) -> dict[str, Any]:
    """``/common/discovery/instance``: MSAL's authority validation, answered for 127.0.0.1 itself."""
    address = f"{host}:{port}"
    return {
        "tenant_discovery_endpoint": f"{authority}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": address, "preferred_cache": address, "aliases": [address]}],
    }


def tenant_known(directory: Directory, tenant: str) -> bool:
    """The tenant path segments Entra accepts for this directory (id, domain, or a multi-tenant alias)."""
    return tenant.lower() in {
        directory.tenant_id.lower(),
        directory.domain.lower(),
        "organizations",
        "common",
    }

"""Signing in with the work account (MSAL)."""

"""Secrets and local state: the keyring facade and the encrypted token cache."""

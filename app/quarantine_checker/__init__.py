"""Quarantine Checker: see, understand and release your own quarantined Microsoft 365 mail."""

__version__ = "0.1.0"
APP_NAME = "Quarantine Checker"
APP_ID = "quarantine-checker"

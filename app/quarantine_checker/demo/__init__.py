"""The demo tenant: a local Exchange Online emulator and identity provider over HTTPS."""

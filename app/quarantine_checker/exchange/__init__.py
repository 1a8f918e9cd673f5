"""The Exchange Online transport: InvokeCommand over HTTPS with a delegated token."""

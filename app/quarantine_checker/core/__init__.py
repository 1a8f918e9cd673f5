"""The domain: quarantined messages, reasons, what the user may do. No Qt, no HTTP."""

"""The organisation service: the tenant-side partner of the desktop app (org-service.md).

IT deploys it once per tenant. It holds the one app-only Exchange credential, sweeps the tenant's
quarantine for everyone, serves each employee only their own held mail, decides what they may do from
the quarantine policy, acts for them only, and keeps the record IT needs after an incident.

It shares ``quarantine_checker.core`` (message model, reasons, decision) and
``quarantine_checker.exchange`` (the InvokeCommand transport); it never imports the desktop's
``ui``, ``auth`` or ``storage`` packages, and the desktop never imports it.
"""

__version__ = "0.1.0"

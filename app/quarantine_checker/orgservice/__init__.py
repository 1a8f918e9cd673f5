"""The service road: the desktop app talking to the organisation service IT deployed (org-service.md).

Same layer as ``exchange/`` (core <- exchange, orgservice <- auth/storage <- ui, cli): ``client`` (HTTPS
and the service's error codes), ``mailbox`` (the ``core.mailbox.Mailbox`` implementation), ``events``
(the live event stream with resume, and the fallback poll).
"""

"""The sign-in redirect's port is held on 127.0.0.1 and ::1, so no other process can take it on either.

The redirect URI says ``localhost``; where that resolves to ::1 first, a process listening on
``[::1]:<port>`` would receive the authorization code. Real sockets, no mocks.
"""

from __future__ import annotations

import errno
import socket

import pytest
import requests

from quarantine_checker.auth.loopback import LoopbackReceiver


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback")


def test_another_process_cannot_take_the_redirect_port_on_ipv6() -> None:
    with LoopbackReceiver() as receiver:
        assert receiver.redirect_uri == f"http://localhost:{receiver.port}"
        with socket.socket(socket.AF_INET6) as intruder, pytest.raises(OSError) as err:
            intruder.bind(("::1", receiver.port))
        assert err.value.errno == errno.EADDRINUSE


def test_a_browser_that_reaches_localhost_over_ipv6_talks_to_the_app() -> None:
    with LoopbackReceiver(answer_wait=5) as receiver:
        receiver.expect_state("s-1")
        reply = requests.get(f"http://[::1]:{receiver.port}/?code=c&state=other", timeout=10)
        assert reply.status_code == 400 and "Not this sign-in" in reply.text

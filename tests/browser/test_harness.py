"""The browser tests' own harness: a dashboard under test is the one the test started."""

from __future__ import annotations

import socket

import pytest

from tests.browser.conftest import REPO, dashboard_server


def test_a_port_already_served_is_refused_not_borrowed():
    # A dashboard left running on the port would answer the health check, and the test would
    # drive it instead of the one it started (the twenty-session test did, on 8611).
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"port {port} is already in use"):
            with dashboard_server(REPO / "data" / "demo", port=port):
                pass

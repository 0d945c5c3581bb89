"""Where a served gallery listens (issue 81 §4): this computer only unless the
photographer chooses the network, and then the one address of the network
its default route uses — never every interface (0.0.0.0)."""

from __future__ import annotations

import pytest

from curator.proof import server
from curator.proof.server import LOOPBACK, network_address, open_socket, serving_host


def test_only_this_computer_unless_the_network_is_chosen() -> None:
    assert serving_host(False) == LOOPBACK == "127.0.0.1"
    chosen = serving_host(True)
    assert chosen == network_address() and chosen not in ("0.0.0.0", "", "::")
    sock = open_socket(chosen, 0)
    try:
        assert sock.getsockname()[0] == chosen  # bound to that address alone
    finally:
        sock.close()


def test_the_network_choice_is_the_default_routes_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server, "network_address", lambda: "192.168.1.20")
    assert serving_host(True) == "192.168.1.20"
    assert serving_host(False) == "127.0.0.1"

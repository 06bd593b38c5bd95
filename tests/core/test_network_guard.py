"""Tests may talk to this machine only: a connection anywhere else fails the test (pytest-socket)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from pytest_socket import SocketConnectBlockedError

from tests.support.network import free_port


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_a_connection_beyond_loopback_is_refused() -> None:
    with pytest.raises(SocketConnectBlockedError), socket.socket() as sock:
        sock.connect(("10.255.255.1", 80))


def test_loopback_stays_open() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", free_port()))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass


def test_socket_pairs_and_event_loops_stay_open() -> None:
    """asyncio wakes its loop through a socket pair (AF_UNIX here), as do other libraries: they keep working."""
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"x")
        assert right.recv(1) == b"x"
    assert asyncio.run(asyncio.sleep(0, result="ran")) == "ran"

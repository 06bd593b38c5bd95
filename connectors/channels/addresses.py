"""Network addresses, shared by the channels: which hosts are this machine only."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """True when `host` names only this machine: 127.0.0.0/8, ::1 or localhost.

    Host names other than `localhost` are not resolved: a name could point anywhere.
    """
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False

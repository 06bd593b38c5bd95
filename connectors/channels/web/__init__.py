"""The web console: sign-in, quick ask, knowledge health and the EX dashboard, server-rendered over `ApiPorts`."""

from connectors.channels.web.console import ConsoleConfig, ForwardsHandoffs, install_console

__all__ = ["ConsoleConfig", "ForwardsHandoffs", "install_console"]

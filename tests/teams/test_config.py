"""Teams configuration: authentication off only on loopback, credentials complete or absent."""

from __future__ import annotations

import pytest

from assistant.errors import AssistantError
from connectors.channels.addresses import is_loopback_host
from connectors.channels.teams import TeamsConfig, TeamsConfigurationError, create_teams_router


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.1.1", "127.255.255.254", "::1", "[::1]", "localhost", "LOCALHOST", "localhost."],
)
def test_loopback_hosts(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "assistant.verdello.example", "", "128.0.0.1"]
)
def test_hosts_that_are_not_loopback(host):
    assert not is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "assistant.verdello.example"])
def test_missing_credentials_on_a_public_host_refuses_to_start(assistant_service, host):
    with pytest.raises(TeamsConfigurationError) as raised:
        create_teams_router(assistant_service, TeamsConfig(host=host))
    message = str(raised.value)
    assert "MICROSOFT_APP_ID" in message and "MICROSOFT_APP_PASSWORD" in message
    assert repr(host) in message
    assert "loopback" in message


def test_the_configuration_error_is_an_assistant_error():
    assert issubclass(TeamsConfigurationError, AssistantError)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_missing_credentials_on_loopback_starts_without_authentication(assistant_service, host):
    config = TeamsConfig(host=host)
    router = create_teams_router(assistant_service, config)
    assert not config.authentication_enabled
    assert [route.path for route in router.routes] == ["/api/messages"]


def test_empty_environment_values_count_as_unset(assistant_service):
    config = TeamsConfig(app_id="", app_password="  ", tenant_id="", host="0.0.0.0")
    assert config.app_id is None and config.app_password is None and config.tenant_id is None
    with pytest.raises(TeamsConfigurationError):
        create_teams_router(assistant_service, config)


@pytest.mark.parametrize(
    ("app_id", "app_password", "tenant_id", "named"),
    [
        ("11111111-2222-3333-4444-555555555555", None, None, "MICROSOFT_APP_PASSWORD"),
        (None, "s3cret", None, "MICROSOFT_APP_ID"),
        (None, None, "72f988bf-0000-0000-0000-2d7cd011db47", "MICROSOFT_APP_TENANT_ID"),
    ],
)
def test_incomplete_credentials_are_refused_even_on_loopback(
    assistant_service, app_id, app_password, tenant_id, named
):
    config = TeamsConfig(app_id=app_id, app_password=app_password, tenant_id=tenant_id, host="127.0.0.1")
    with pytest.raises(TeamsConfigurationError, match=named):
        create_teams_router(assistant_service, config)


@pytest.mark.parametrize("tenant_id", [None, "72f988bf-0000-0000-0000-2d7cd011db47"])
def test_credentials_allow_any_host(assistant_service, tenant_id):
    config = TeamsConfig(
        app_id="11111111-2222-3333-4444-555555555555",
        app_password="s3cret",
        tenant_id=tenant_id,
        host="0.0.0.0",
    )
    create_teams_router(assistant_service, config)
    assert config.authentication_enabled
    assert config.single_tenant is (tenant_id is not None)

"""The REST order source against a real HTTP server on 127.0.0.1: the contract, mappings, auth, retries, failures."""

from __future__ import annotations

import json
import logging

import pytest

from assistant.errors import (
    InvalidOrderNumberError,
    OrderMappingError,
    OrderNotFoundError,
    OrderSourceUnavailableError,
)
from assistant.orders.model import Fulfilment, OrderState
from connectors.sources.orders.http_source import HttpOrderSource, HttpTimeouts
from connectors.sources.orders.mapping import load_mapping, mapping_from_dict
from connectors.sources.orders.records import OrderDataError
from tests.support.network import free_port
from tests.support.order_system import GARBAGE, OrderSystem

from .samples import COLLECT, DELAYED, LEGACY, ORDERS

FAST = HttpTimeouts(connect_seconds=0.5, read_seconds=0.3, budget_seconds=2.0, retries=2)


def source(base_url: str, **options) -> HttpOrderSource:
    options.setdefault("timeouts", FAST)
    options.setdefault("sleep", lambda seconds: None)
    return HttpOrderSource(base_url, **options)


def test_the_default_contract_is_read_in_full():
    with OrderSystem(ORDERS) as base_url:
        order = source(base_url).lookup("ORD-4827193")
    assert order.status is OrderState.DELAYED and order.carrier == "DPD"
    assert order.tracking_number == "15501234567890" and order.eta.isoformat() == "2026-12-09"
    assert order.updated_at.isoformat() == "2026-12-03T11:47:00+00:00"
    assert order.item_count == 3 and [item.sku for item in order.items] == ["GRD-10442", "GRD-51003"]
    assert str(order.total.amount) == "266.98" and order.total.currency == "GBP"
    assert order.customer.email == "giulia.rossi@example.com"


def test_collection_fields_and_a_numeric_amount():
    with OrderSystem(ORDERS) as base_url:
        order = source(base_url).lookup("ORD-5531208")
    assert order.fulfilment is Fulfilment.CLICK_AND_COLLECT and order.collection_store == COLLECT["collection_store"]
    assert order.collect_by.isoformat() == "2026-12-11" and str(order.total.amount) == "1249.5"


def test_unknown_number_is_not_found():
    system = OrderSystem(ORDERS)
    with system as base_url, pytest.raises(OrderNotFoundError):
        source(base_url).lookup("ORD-9999999")
    assert system.paths == ["/orders/ORD-9999999"], "a 404 is an answer: no retry"


def test_a_500_is_retried_then_reported_unavailable():
    system = OrderSystem(ORDERS)
    system.down(500)
    with system as base_url, pytest.raises(OrderSourceUnavailableError, match="HTTP 500"):
        source(base_url).lookup("ORD-4827193")
    assert len(system.requests) == 3, "one call and two retries"


def test_503_then_200_is_answered_by_the_retry():
    pauses: list[float] = []
    system = OrderSystem(ORDERS, script=[503])
    with system as base_url:
        order = source(base_url, sleep=pauses.append).lookup("ORD-4827193")
    assert order.status is OrderState.DELAYED and len(system.requests) == 2
    assert pauses == [0.1]


def test_back_off_doubles_between_retries():
    pauses: list[float] = []
    system = OrderSystem(ORDERS, script=[502, 504])
    with system as base_url:
        source(base_url, sleep=pauses.append).lookup("ORD-4827193")
    assert pauses == [0.1, 0.2]


def test_a_stalled_server_times_out_then_the_retry_answers():
    system = OrderSystem(ORDERS, script=[1.0])  # stalls longer than the 0.3 s read timeout
    with system as base_url:
        assert source(base_url).lookup("ORD-4827193").status is OrderState.DELAYED
    assert len(system.requests) == 2


def test_always_stalling_is_unavailable_within_the_budget():
    timeouts = HttpTimeouts(connect_seconds=0.2, read_seconds=0.2, budget_seconds=0.5, retries=5)
    system = OrderSystem(ORDERS, script=[1.0] * 10)
    with system as base_url, pytest.raises(OrderSourceUnavailableError, match="timed out"):
        source(base_url, timeouts=timeouts).lookup("ORD-4827193")
    assert len(system.requests) < 6, "the budget ends the retries before the retry count does"


def test_connection_refused_is_unavailable():
    with pytest.raises(OrderSourceUnavailableError, match="unreachable"):
        source(f"http://127.0.0.1:{free_port()}").lookup("ORD-4827193")


def test_an_unreadable_body_is_unavailable_and_not_retried():
    system = OrderSystem(ORDERS, script=[GARBAGE])
    with system as base_url, pytest.raises(OrderSourceUnavailableError, match="not JSON"):
        source(base_url).lookup("ORD-4827193")
    assert len(system.requests) == 1


@pytest.mark.parametrize("body", [{"id": "ORD-4827193"}, {"id": "ORD-4827193", "status": "teleported"},
                                  {"id": "ORD-4827193", "status": "paid", "eta": "next week"},
                                  {"id": "ORD-4827193", "status": "paid", "items": "two"}])
def test_data_that_cannot_be_read_is_a_typed_error(body):
    with OrderSystem({"ORD-4827193": body}) as base_url, pytest.raises(OrderDataError):
        source(base_url).lookup("ORD-4827193")


def test_the_auth_header_is_sent():
    system = OrderSystem(ORDERS)
    with system as base_url:
        source(base_url, auth="X-Api-Key: s3cret-key").lookup("ORD-4827193")
        source(base_url, auth="Bearer t0ken").lookup("ORD-4827193")
    assert system.requests[0][1]["x-api-key"] == "s3cret-key"
    assert system.requests[1][1]["authorization"] == "Bearer t0ken"


def test_the_old_minimal_shape_through_a_yaml_mapping(tmp_path):
    mapping_file = tmp_path / "legacy.yml"
    mapping_file.write_text("fields:\n  id: order_number\n  eta: estimated_delivery\n", encoding="utf-8")
    with OrderSystem({"ORD-20481736": LEGACY}) as base_url:
        order = source(base_url, mapping=load_mapping(mapping_file)).lookup("ORD-20481736")
    assert order.status is OrderState.OUT_FOR_DELIVERY and order.eta.isoformat() == "2026-11-25"
    assert order.items == () and order.total is None


def test_a_custom_json_mapping_with_nested_paths_and_status_words(tmp_path):
    theirs = {"data": {"ref": "ORD-7654321", "state": "DISPATCHED", "lastChange": "2026-12-01T09:00:00Z",
                       "shipping": {"courier": "GLS", "parcel": "GL123", "promised": "2026-12-05"},
                       "lines": [{"code": "GRD-1", "title": "Hose", "qty": "2"}],
                       "money": {"value": 35, "ccy": "eur"},
                       "buyer": {"fullName": "Luca Romano", "mail": "luca@example.it", "tel": "+39 333 555 0999"}}}
    mapping_file = tmp_path / "theirs.json"
    mapping_file.write_text(json.dumps({
        "path": "/api/v2/orders/{number}",
        "fields": {"id": "data.ref", "status": "data.state", "updated_at": "data.lastChange",
                   "carrier": "data.shipping.courier", "tracking_number": "data.shipping.parcel",
                   "eta": "data.shipping.promised", "items": "data.lines", "total.amount": "data.money.value",
                   "total.currency": "data.money.ccy", "customer.name": "data.buyer.fullName",
                   "customer.email": "data.buyer.mail", "customer.phone": "data.buyer.tel"},
        "item_fields": {"sku": "code", "name": "title", "quantity": "qty"},
        "statuses": {"DISPATCHED": "shipped"},
    }), encoding="utf-8")
    system = OrderSystem({"ORD-7654321": theirs}, prefix="/api/v2/orders/")
    with system as base_url:
        order = source(base_url, mapping=load_mapping(mapping_file)).lookup("ORD-7654321")
    assert system.paths == ["/api/v2/orders/ORD-7654321"]
    assert order.status is OrderState.SHIPPED and order.carrier == "GLS" and order.item_count == 2
    assert order.total.currency == "EUR" and order.customer.name == "Luca Romano"


@pytest.mark.parametrize("raw", [{"fields": {"colour": "x"}}, {"statuses": {"gone": "vanished"}}, {"path": "/x"},
                                 {"wat": 1}, ["fields"]])
def test_a_bad_mapping_is_a_configuration_error(raw):
    with pytest.raises(OrderMappingError):
        mapping_from_dict(raw)


def test_an_unreadable_mapping_file_is_a_configuration_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(OrderMappingError):
        load_mapping(broken)
    with pytest.raises(OrderMappingError):
        load_mapping(tmp_path / "missing.yml")


@pytest.mark.parametrize("number", ["ORD-123456/../../admin", "ORD-1234567' OR '1'='1", "../admin", "ORD-١٢٣٤٥٦٧",
                                    "ORD-1234567?x=1", "ORD-1234567#frag", "O" * 500])
def test_hostile_numbers_never_reach_the_server(number):
    system = OrderSystem(ORDERS)
    with system as base_url, pytest.raises(InvalidOrderNumberError):
        source(base_url).lookup(number)
    assert system.requests == []


def test_ping_sees_a_live_and_a_dead_server():
    with OrderSystem(ORDERS) as base_url:
        source(base_url).ping()
    with pytest.raises(OrderSourceUnavailableError):
        source(f"http://127.0.0.1:{free_port()}").ping()


def test_the_secret_is_not_in_the_errors_or_the_target():
    system = OrderSystem(ORDERS)
    system.down(503)
    with system as base_url:
        rest = source(f"http://user:pa55@{base_url.removeprefix('http://')}/base", auth="Authorization: Bearer zzz")
        with pytest.raises(OrderSourceUnavailableError) as raised:
            rest.lookup("ORD-4827193")
    assert "zzz" not in str(raised.value) and "pa55" not in rest.target and "user" not in rest.target
    assert DELAYED["id"] not in rest.target


def test_the_auth_header_never_reaches_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    system = OrderSystem(ORDERS, script=[503, 503])
    with system as base_url:
        source(base_url, auth="X-Api-Key: hush-hush-42").lookup("ORD-4827193")
    assert system.requests[0][1]["x-api-key"] == "hush-hush-42"
    assert "retrying" in caplog.text and "hush-hush-42" not in caplog.text

"""The field mapping: how another system's order JSON (or table) is read as our order, without code.

A mapping file (JSON or YAML, named by `ASSISTANT_ORDERS_MAPPING`) may hold:

- `fields`: our field name -> a dotted path in their JSON (REST) or a column name (SQL);
- `item_fields`: `sku`, `name`, `quantity` -> the path inside each entry of their item list (REST);
- `statuses`: their status word -> ours (`placed` ... `refunded`); unlisted words are matched to ours by
  normalising case, spaces and dashes (`Out for delivery` -> `out_for_delivery`);
- `fulfilments`, `return_states`: the same for those two vocabularies;
- `path`: the REST path template (default `/orders/{number}`);
- `table`, `items_table` (`name`, `order_column`, `columns`): the SQL tables.

Anything left out keeps its default, so a file only needs what differs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import OrderMappingError
from assistant.orders.model import Fulfilment, OrderState, ReturnState

OUR_FIELDS = (
    "id", "status", "updated_at", "carrier", "tracking_number", "eta", "fulfilment", "collection_store",
    "collect_by", "items", "total.amount", "total.currency", "customer.name", "customer.email", "customer.phone",
    "return_state",
)
ITEM_FIELDS = ("sku", "name", "quantity")
DEFAULT_PATH = "/orders/{number}"
DEFAULT_COLUMNS = {
    "id": "order_number", "status": "status", "updated_at": "updated_at", "carrier": "carrier",
    "tracking_number": "tracking_number", "eta": "eta", "fulfilment": "fulfilment",
    "collection_store": "collection_store", "collect_by": "collect_by", "total.amount": "total_amount",
    "total.currency": "currency", "customer.name": "customer_name", "customer.email": "customer_email",
    "customer.phone": "customer_phone", "return_state": "return_state",
}
"""The demo database's columns (`assistant demo orders`), the SQL default."""


@dataclass(frozen=True)
class ItemsTable:
    """An order-lines table: its name, the column holding the order number, and our item fields -> its columns."""

    name: str = "order_items"
    order_column: str = "order_number"
    columns: Mapping[str, str] = field(default_factory=lambda: {name: name for name in ITEM_FIELDS})


@dataclass(frozen=True)
class OrderMapping:
    """Where each of our order fields is in their data, and what their words mean in ours."""

    fields: Mapping[str, str] = field(default_factory=lambda: {name: name for name in OUR_FIELDS})
    item_fields: Mapping[str, str] = field(default_factory=lambda: {name: name for name in ITEM_FIELDS})
    statuses: Mapping[str, OrderState] = field(default_factory=dict)
    fulfilments: Mapping[str, Fulfilment] = field(default_factory=dict)
    return_states: Mapping[str, ReturnState] = field(default_factory=dict)
    path: str = DEFAULT_PATH
    table: str = "orders"
    items_table: ItemsTable | None = field(default_factory=ItemsTable)
    sql_fields: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))

    def status(self, word: object) -> OrderState:
        return _translate(word, self.statuses, OrderState, "status")

    def fulfilment(self, word: object) -> Fulfilment:
        return _translate(word, self.fulfilments, Fulfilment, "fulfilment")

    def return_state(self, word: object) -> ReturnState:
        return _translate(word, self.return_states, ReturnState, "return state")


class UnknownWordError(ValueError):
    """Their data holds a word the mapping does not translate."""


def _normal(word: object) -> str:
    return " ".join(str(word).strip().lower().replace("-", " ").replace("_", " ").split())


def _translate(word: object, table: Mapping[str, Any], vocabulary: type, what: str) -> Any:
    normal = _normal(word)
    for theirs, ours in table.items():
        if _normal(theirs) == normal:
            return ours
    try:
        return vocabulary(normal.replace(" ", "_"))
    except ValueError:
        raise UnknownWordError(f"unknown {what} {str(word)[:40]!r}: add it to the mapping file") from None


def load_mapping(path: Path | None) -> OrderMapping:
    """The mapping in `path` (JSON, or YAML for `.yml`/`.yaml`) over the defaults; the defaults when None."""
    if path is None:
        return OrderMapping()
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text) if path.suffix.lower() in (".yml", ".yaml") else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise OrderMappingError(f"cannot read the order mapping {path}: {error}") from error
    return mapping_from_dict(raw, str(path))


def mapping_from_dict(raw: object, where: str = "the order mapping") -> OrderMapping:
    """Check a parsed mapping file and build the mapping; `OrderMappingError` says what is wrong."""
    if not isinstance(raw, dict):
        raise OrderMappingError(f"{where}: expected a mapping of settings at the top")
    unknown = set(raw) - {"fields", "item_fields", "statuses", "fulfilments", "return_states", "path", "table",
                          "items_table"}
    if unknown:
        raise OrderMappingError(f"{where}: unknown keys {sorted(unknown)}")
    fields = _names(raw.get("fields", {}), OUR_FIELDS, where, "fields")
    defaults = OrderMapping()
    items_table = _items_table(raw.get("items_table", {}), where)
    path = str(raw.get("path", DEFAULT_PATH))
    if "{number}" not in path:
        raise OrderMappingError(f"{where}: `path` must contain {{number}}")
    return OrderMapping(
        fields={**defaults.fields, **fields},
        item_fields={**defaults.item_fields, **_names(raw.get("item_fields", {}), ITEM_FIELDS, where, "item_fields")},
        statuses=_vocabulary(raw.get("statuses", {}), OrderState, where, "statuses"),
        fulfilments=_vocabulary(raw.get("fulfilments", {}), Fulfilment, where, "fulfilments"),
        return_states=_vocabulary(raw.get("return_states", {}), ReturnState, where, "return_states"),
        path=path,
        table=str(raw.get("table", defaults.table)),
        items_table=items_table,
        sql_fields={**DEFAULT_COLUMNS, **fields},
    )


def _names(raw: object, allowed: tuple[str, ...], where: str, key: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(value, str) and value for value in raw.values()):
        raise OrderMappingError(f"{where}: `{key}` must map field names to non-empty strings")
    unknown = set(raw) - set(allowed)
    if unknown:
        raise OrderMappingError(f"{where}: `{key}` names unknown fields {sorted(unknown)}; known: {list(allowed)}")
    return {str(name): str(value) for name, value in raw.items()}


def _vocabulary(raw: object, vocabulary: type, where: str, key: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise OrderMappingError(f"{where}: `{key}` must map their words to ours")
    try:
        return {str(theirs): vocabulary(str(ours)) for theirs, ours in raw.items()}
    except ValueError as error:
        raise OrderMappingError(f"{where}: `{key}`: {error}; ours are {[item.value for item in vocabulary]}") from None


def _items_table(raw: object, where: str) -> ItemsTable | None:
    if raw is None or raw is False:
        return None
    if not isinstance(raw, dict):
        raise OrderMappingError(f"{where}: `items_table` must be a mapping (name, order_column, columns) or null")
    default = ItemsTable()
    columns = _names(raw.get("columns", {}), ITEM_FIELDS, where, "items_table.columns")
    return ItemsTable(name=str(raw.get("name", default.name)),
                      order_column=str(raw.get("order_column", default.order_column)),
                      columns={**default.columns, **columns})

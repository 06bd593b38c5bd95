"""The demo order database: realistic Verdello orders in every state, home delivery and click-and-collect, UK (GBP)
and Italy (EUR). Deterministic: the same seed gives the same numbers, so the README can list some to try; dates are
set around the day the database is made, so "expected Friday" stays believable."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, Numeric, String, Table, create_engine, insert

from assistant.orders.model import Fulfilment, OrderState, ReturnState

metadata = MetaData()
orders_table = Table(
    "orders", metadata,
    Column("order_number", String(20), primary_key=True),  # the primary key is the look-up index
    Column("status", String(32), nullable=False),
    Column("updated_at", String(32)),
    Column("carrier", String(40)),
    Column("tracking_number", String(40)),
    Column("eta", String(10)),
    Column("fulfilment", String(20)),
    Column("collection_store", String(80)),
    Column("collect_by", String(10)),
    Column("total_amount", Numeric(10, 2)),
    Column("currency", String(3)),
    Column("customer_name", String(80)),
    Column("customer_email", String(120)),
    Column("customer_phone", String(30)),
    Column("return_state", String(20)),
)
items_table = Table(
    "order_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_number", String(20), nullable=False, index=True),
    Column("sku", String(20), nullable=False),
    Column("name", String(80), nullable=False),
    Column("quantity", Integer, nullable=False),
)

DEFAULT_SEED = 14
DEFAULT_COUNT = 60

FEATURED = (
    ("ORD-4827193", OrderState.DELAYED, Fulfilment.HOME_DELIVERY, "GB"),
    ("ORD-5531208", OrderState.READY_FOR_COLLECTION, Fulfilment.CLICK_AND_COLLECT, "GB"),
    ("ORD-6604417", OrderState.SHIPPED, Fulfilment.HOME_DELIVERY, "IT"),
    ("ORD-7719032", OrderState.OUT_FOR_DELIVERY, Fulfilment.HOME_DELIVERY, "GB"),
    ("ORD-3391876", OrderState.REFUNDED, Fulfilment.HOME_DELIVERY, "IT"),
    ("ORD-8842150", OrderState.PICKING, Fulfilment.CLICK_AND_COLLECT, "IT"),
    ("ORD-2275649", OrderState.CANCELLED, Fulfilment.HOME_DELIVERY, "GB"),
)
"""Hand-picked numbers the README lists, one interesting case each; the rest are drawn from the seeded generator."""

CATALOGUE = (
    ("GRD-10442", "Cordless lawnmower 36V", Decimal("249.00")),
    ("GRD-20117", "Rattan 4-seat garden sofa", Decimal("699.00")),
    ("GRD-30981", "Raised bed kit, larch", Decimal("89.50")),
    ("GRD-41260", "Olive tree, 1.5 m", Decimal("129.00")),
    ("GRD-51003", "Peat-free compost 50 L", Decimal("8.99")),
    ("GRD-60219", "Solar lantern string", Decimal("24.99")),
    ("GRD-70455", "Galvanised watering can 9 L", Decimal("19.50")),
    ("GRD-80732", "Wooden shed 6x4", Decimal("549.00")),
    ("GRD-90318", "Lavender Hidcote, 3 pots", Decimal("14.97")),
    ("GRD-11876", "Pruning shears, bypass", Decimal("22.00")),
)
COUNTRIES = {
    "GB": {"currency": "GBP", "carriers": ("DPD", "Royal Mail", "Evri"),
           "stores": ("Verdello Bristol Cribbs", "Verdello Leeds Kirkstall", "Verdello Reading Oracle"),
           "names": ("Amelia Hart", "Oliver Brooks", "Priya Shah", "George Whitfield", "Chloe Evans"),
           "phone": "+44 7700 900{:03d}"},
    "IT": {"currency": "EUR", "carriers": ("BRT", "GLS", "Poste Italiane"),
           "stores": ("Verdello Milano Bicocca", "Verdello Torino Lingotto", "Verdello Bologna Navile"),
           "names": ("Giulia Rossi", "Marco Bianchi", "Francesca Ferri", "Luca Romano", "Sara Conti"),
           "phone": "+39 333 555 0{:03d}"},
}

DEMO_TRACKING_URLS = {carrier: f"https://tracking.example.com/{carrier.lower().replace(' ', '-')}/{{tracking}}"
                      for place in COUNTRIES.values() for carrier in place["carriers"]}
"""Tracking links for the demo carriers' cards: example.com addresses, since the demo's parcels are invented."""


@dataclass(frozen=True)
class DemoReport:
    """What `assistant demo orders` made: where, how many orders, and the numbers worth trying."""

    path: Path
    orders: int
    featured: tuple[tuple[str, str], ...]


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)


def demo_orders(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED,
                today: dt.date | None = None) -> Iterator[tuple[dict, list[dict]]]:
    """`count` orders (at least the featured ones), each with its lines, every state and both fulfilments."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    states = list(OrderState)
    seen = {number for number, *_ in FEATURED}
    for index in range(max(count, len(FEATURED))):
        if index < len(FEATURED):
            number, state, fulfilment, country = FEATURED[index]
        else:
            number = f"ORD-{rng.randrange(1_000_000, 10_000_000)}"
            while number in seen:
                number = f"ORD-{rng.randrange(1_000_000, 10_000_000)}"
            seen.add(number)
            state = states[index % len(states)]
            fulfilment = Fulfilment.CLICK_AND_COLLECT if index % 3 == 0 else Fulfilment.HOME_DELIVERY
            country = "IT" if index % 2 else "GB"
        if state is OrderState.READY_FOR_COLLECTION:
            fulfilment = Fulfilment.CLICK_AND_COLLECT
        if fulfilment is Fulfilment.CLICK_AND_COLLECT and state in (OrderState.SHIPPED, OrderState.OUT_FOR_DELIVERY,
                                                                     OrderState.DELAYED):
            fulfilment = Fulfilment.HOME_DELIVERY
        yield _order(rng, number, state, fulfilment, country, today)


def _order(rng: random.Random, number: str, state: OrderState, fulfilment: Fulfilment, country: str,
           today: dt.date) -> tuple[dict, list[dict]]:
    place = COUNTRIES[country]
    lines = [(sku, name, price, rng.randint(1, 3)) for sku, name, price in rng.sample(CATALOGUE, rng.randint(1, 4))]
    total = sum((price * quantity for _, _, price, quantity in lines), Decimal("0"))
    if country == "IT":
        total = (total * Decimal("1.17")).quantize(Decimal("0.01"))  # euro prices
    name = rng.choice(place["names"])
    updated = dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 3)),
                                  dt.time(rng.randint(7, 20), rng.choice((0, 5, 12, 20, 34, 47))))
    shipped = state in (OrderState.SHIPPED, OrderState.OUT_FOR_DELIVERY, OrderState.DELIVERED, OrderState.DELAYED,
                        OrderState.RETURNED, OrderState.REFUNDED) and fulfilment is Fulfilment.HOME_DELIVERY
    eta = {OrderState.DELAYED: today + dt.timedelta(days=rng.randint(3, 6)),
           OrderState.OUT_FOR_DELIVERY: today,
           OrderState.SHIPPED: today + dt.timedelta(days=rng.randint(1, 3)),
           OrderState.PICKING: today + dt.timedelta(days=rng.randint(1, 2)),
           OrderState.PAID: today + dt.timedelta(days=rng.randint(2, 4)),
           OrderState.PLACED: today + dt.timedelta(days=rng.randint(3, 5)),
           OrderState.DELIVERED: today - dt.timedelta(days=rng.randint(1, 5))}.get(state)
    return_state = {OrderState.RETURNED: ReturnState.RETURN_RECEIVED, OrderState.REFUNDED: ReturnState.REFUNDED}.get(
        state)
    collecting = fulfilment is Fulfilment.CLICK_AND_COLLECT
    row = {
        "order_number": number,
        "status": state.value,
        "updated_at": updated.isoformat(),
        "carrier": rng.choice(place["carriers"]) if shipped else None,
        "tracking_number": f"{rng.randrange(10**11, 10**12)}" if shipped else None,
        "eta": eta.isoformat() if eta and not collecting else None,
        "fulfilment": fulfilment.value,
        "collection_store": rng.choice(place["stores"]) if collecting else None,
        "collect_by": (today + dt.timedelta(days=7)).isoformat() if state is OrderState.READY_FOR_COLLECTION else None,
        "total_amount": total,
        "currency": place["currency"],
        "customer_name": name,
        "customer_email": f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.com",
        "customer_phone": place["phone"].format(rng.randrange(1000)),
        "return_state": return_state.value if return_state else None,
    }
    items = [{"order_number": number, "sku": sku, "name": item_name, "quantity": quantity}
             for sku, item_name, _, quantity in lines]
    return row, items


def write_demo_database(path: Path, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED,
                        today: dt.date | None = None) -> DemoReport:
    """Create (or replace) the demo SQLite order database at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{partial}")
    try:
        create_tables(engine)
        rows, items = [], []
        for row, lines in demo_orders(count, seed, today):
            rows.append(row)
            items.extend(lines)
        with engine.begin() as connection:
            connection.execute(insert(orders_table), rows)
            connection.execute(insert(items_table), items)
    finally:
        engine.dispose()
    partial.replace(path)
    featured = tuple((number, state.value) for number, state, *_ in FEATURED)
    return DemoReport(path, len(rows), featured)

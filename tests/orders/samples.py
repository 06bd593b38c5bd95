"""Orders in the default REST contract, and the old minimal shape, for the stand-in order system."""

from __future__ import annotations

DELAYED = {
    "id": "ORD-4827193",
    "status": "delayed",
    "updated_at": "2026-12-03T11:47:00+00:00",
    "carrier": "DPD",
    "tracking_number": "15501234567890",
    "eta": "2026-12-09",
    "items": [{"sku": "GRD-10442", "name": "Cordless lawnmower 36V", "quantity": 1},
              {"sku": "GRD-51003", "name": "Peat-free compost 50 L", "quantity": 2}],
    "total": {"amount": "266.98", "currency": "GBP"},
    "customer": {"name": "Giulia Rossi", "email": "giulia.rossi@example.com", "phone": "+44 7700 900812"},
}
COLLECT = {
    "id": "ORD-5531208",
    "status": "ready_for_collection",
    "updated_at": "2026-12-02T19:12:00Z",
    "fulfilment": "click_and_collect",
    "collection_store": "Verdello Milano Bicocca",
    "collect_by": "2026-12-11",
    "items": [{"sku": "GRD-41260", "name": "Olive tree, 1.5 m", "quantity": 1}],
    "total": {"amount": 1249.5, "currency": "EUR"},
    "customer": {"name": "Marco Bianchi", "email": "marco.b@example.it", "phone": "+39 333 555 0123"},
}
LEGACY = {"order_number": "ORD-20481736", "status": "Out for delivery", "estimated_delivery": "2026-11-25"}
ORDERS = {DELAYED["id"]: DELAYED, COLLECT["id"]: COLLECT}
PERSONAL = ("Giulia", "Rossi", "giulia.rossi", "7700 900812", "900812", "Marco", "Bianchi", "marco.b",
            "555 0123")

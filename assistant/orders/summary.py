"""The structured order an answer carries to the channels: already masked and already worded, so a channel only
lays it out (a Slack card, a Teams card, JSON) and never sees the customer's data in full."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.orders.masking import MaskedCustomer


@dataclass(frozen=True)
class OrderFact:
    """One labelled line of an order card, in the answer's language (`Carrier`: `DPD`)."""

    label: str
    value: str


@dataclass(frozen=True)
class OrderSummary:
    """A found order as channels show it. Dates are ISO 8601 strings; `facts` are the card's lines, worded."""

    order_number: str
    status: str
    status_text: str
    language: str
    updated_at: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    eta: str | None = None
    fulfilment: str | None = None
    collection_store: str | None = None
    collect_by: str | None = None
    item_count: int = 0
    total: str | None = None
    return_state: str | None = None
    customer: MaskedCustomer = field(default_factory=MaskedCustomer)
    next_step: str | None = None
    next_step_label: str = "Tell the customer"
    tracking_label: str = "Track the parcel"
    facts: tuple[OrderFact, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

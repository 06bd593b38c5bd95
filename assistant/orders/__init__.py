"""Orders in the core: the order model, masking of the customer's data, the words staff repeat, the source protocol.

One job per module: `model` (what an order is), `masking` (the customer's data as staff may see it), `summary` (the
masked, structured order an answer carries to the channels), `wording` (English and Italian sentences), `source`
(the protocol a system of record implements). The systems of record themselves live in `connectors/sources/orders/`.
"""

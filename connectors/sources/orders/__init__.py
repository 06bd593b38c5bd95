"""Systems of record for orders: REST (`http_source`) and read-only SQL (`sql_source`), read through a field
mapping (`mapping`, `records`), behind a circuit breaker (`guarded`), opened from an URL (`factory`); `demo` builds
the demo order database."""

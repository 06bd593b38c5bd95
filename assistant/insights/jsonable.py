"""Report data made JSON-ready: datetimes become ISO strings, tuples lists, all the way down."""

from __future__ import annotations

import datetime as dt


def jsonable(value: object) -> object:
    """`value` with every datetime as an ISO string (to the second) and every tuple as a list, recursively."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value

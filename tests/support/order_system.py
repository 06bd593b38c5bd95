"""The stand-in order system lives with the benchmarks' stand-ins (benchmarks may not import the tests)."""

from benchmarks.standins.order_system import GARBAGE, OrderSystem

__all__ = ["GARBAGE", "OrderSystem"]

"""Harness self-test: an empty body and a fixed-cost call, to check the measurement itself."""

from itertools import repeat

BENCHMARKS = {
    "empty": {"doc": "an empty loop body: must come out at about 0 ns/op after loop-cost subtraction"},
    "call_4args": {"doc": "a call of a Python function with 4 positional arguments"},
    "spin": {"params": {"threads": [1, 2]}, "doc": "independent pure-Python work on N threads"},
}


def bench_empty(loops, ctx):
    for _ in repeat(None, loops):
        pass


def _four(a, b, c, d):
    return a


def bench_call_4args(loops, ctx):
    f = _four
    for _ in repeat(None, loops):
        f(1, 2, 3, 4)
    return f(1, 2, 3, 4)


def bench_spin(loops, ctx):
    total = 0
    for i in range(loops):
        for j in range(100):
            total += j ^ i
    return total % 1000003

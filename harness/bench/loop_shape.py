"""Why gilbench and `python -m timeit` differ on the same statement.

Both subtract the cost of their own empty loop, yet loop overhead and body do
not add up exactly: the net cost of one 4-argument call depends on the loop it
sits in. `range(n)` makes an int per iteration; `itertools.repeat(None, n)`,
the loop of timeit and of gilbench's suites and empty loop, does not. This
prints both, in one process, as medians of 15 batches of 10**6 iterations:

    python3.13 harness/bench/loop_shape.py
"""
import itertools
import statistics
import time


def f(a, b, c, d):
    return a


def call_range(n):
    g = f
    for _ in range(n):
        g(1, 2, 3, 4)


def empty_range(n):
    for _ in range(n):
        pass


def call_repeat(n):
    g = f
    for _ in itertools.repeat(None, n):
        g(1, 2, 3, 4)


def empty_repeat(n):
    for _ in itertools.repeat(None, n):
        pass


def per_iteration(fn, n):
    t0 = time.perf_counter_ns()
    fn(n)
    return (time.perf_counter_ns() - t0) / n


def main(n=1_000_000, batches=15):
    times = {fn: [] for fn in (call_range, empty_range, call_repeat, empty_repeat)}
    for _ in range(batches):
        for fn in times:  # interleaved, so drift falls on every loop alike
            times[fn].append(per_iteration(fn, n))
    m = {fn.__name__: statistics.median(v) for fn, v in times.items()}
    for shape in ("range", "repeat"):
        call, empty = m["call_" + shape], m["empty_" + shape]
        print("%-6s loop: call %.2f ns, empty %.2f ns, net %.2f ns per call" % (shape, call, empty, call - empty))


if __name__ == "__main__":
    main()

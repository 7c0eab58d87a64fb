"""How much this machine's own speed moves between windows as long as one case.

One process times the selftest's 4-argument call loop back to back for
`seconds`, cuts the batches into consecutive windows of `window` seconds (the
wall time of one case with the default profile), and prints the spread
(max/min - 1) of the window medians: the run-to-run spread that even a
perfect harness would see here, since no process or loop changes between
windows, only time.

    python3.13t harness/bench/machine_drift.py [seconds] [window]
"""
import json
import statistics
import sys
import time
from itertools import repeat


def f(a, b, c, d):
    return a


def call(n):
    g = f
    for _ in repeat(None, n):
        g(1, 2, 3, 4)


def main(seconds=30.0, window=2.0, batch_ns=20e6):
    n = 1000
    while True:  # calibrate a batch to about batch_ns, like the harness's samples
        t0 = time.perf_counter_ns()
        call(n)
        took = time.perf_counter_ns() - t0
        if took >= batch_ns / 4:
            n = max(1, int(n * batch_ns / took))
            break
        n *= 4
    windows, current, window_end = [], [], time.monotonic() + window
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter_ns()
        call(n)
        current.append((time.perf_counter_ns() - t0) / n)
        if time.monotonic() >= window_end:
            windows.append(statistics.median(current))
            current, window_end = [], time.monotonic() + window
    medians = windows
    print(
        json.dumps(
            {
                "windows": len(medians),
                "window_s": window,
                "median_ns": round(statistics.median(medians), 3),
                "spread": max(medians) / min(medians) - 1,
                "window_medians_ns": [round(m, 2) for m in medians],
            }
        )
    )


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:3]))

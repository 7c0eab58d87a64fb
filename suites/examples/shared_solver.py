"""Worked example: one solver object shared by N threads vs one solver per thread (a per-object lock).

For extension maintainers
-------------------------
Under free-threading, a C extension type that keeps mutable state in its
instances must protect that state itself, usually with a per-object mutex
(`Py_BEGIN_CRITICAL_SECTION(self)`, a PyMutex in the struct, a `Mutex` in a
PyO3 `#[pyclass]`). That is correct, and free when each thread has its own
object; but when several threads share one object, the mutex serializes
them, and the "free-threaded speedup" of a program built on the extension
quietly becomes 1x (or worse: the lock hand-off costs extra).

`Solver` below stands for such an object (think of an SCS or OSQP solver
with its workspace): `solve()` takes the instance's `threading.Lock` for the
whole call, the way the C method would hold the object's mutex, and runs a
few Gauss-Seidel sweeps on a small linear system in the instance's own
workspace. The benchmark runs it on N threads with

- `sharing=shared`: every thread calls `solve()` on one Solver;
- `sharing=per-thread`: every thread has its own Solver.

What to expect: with the GIL, both stay near 1x at any N (only one thread
runs Python at a time anyway). Without the GIL, `per-thread` scales close to
N while `shared` stays at or below 1x. The gap between the two lines is what
sharing one object costs; run your own extension's objects the same way
(copy this file, replace Solver by your type) to see whether your users
should keep one object per thread.

Run it with:  gilbench run --suite suites/examples/shared_solver.py --mode gil,nogil
"""

import threading
from itertools import repeat

SIZE = 8  # unknowns of the linear system
SWEEPS = 4  # Gauss-Seidel sweeps per solve
SHARING = ("shared", "per-thread")

BENCHMARKS = {
    "shared_solver": {
        "params": {"threads": [1, 2], "sharing": list(SHARING)},
        "ops": 1,
        "doc": "solve() on one Solver shared by N threads vs one Solver per thread (per-object lock)",
    },
}


class Solver:
    """A stand-in for an extension object with mutable state guarded by a per-object mutex."""

    def __init__(self, size=SIZE):
        # The solver owns its data, as a C solver copies the problem into its own arrays:
        # a diagonally dominant system, so Gauss-Seidel converges.
        self._matrix = [[(4.0 * size if i == j else 1.0 / (1 + abs(i - j))) for j in range(size)] for i in range(size)]
        self._rhs = [float(i % 5 + 1) for i in range(size)]
        self._x = [0.0] * size  # the workspace: mutated by every solve
        self._lock = threading.Lock()

    def solve(self, sweeps=SWEEPS):
        with self._lock:  # held for the whole call, like Py_BEGIN_CRITICAL_SECTION(self)
            x = self._x
            for i in range(len(x)):
                x[i] = 0.0
            for _ in range(sweeps):
                for i, row in enumerate(self._matrix):
                    s = self._rhs[i]
                    for j, a in enumerate(row):
                        if j != i:
                            s -= a * x[j]
                    x[i] = s / row[i]
            return list(x)


def setup_shared_solver(threads, sharing):
    if sharing not in SHARING:
        raise ValueError("shared_solver: sharing=%r is not supported; use one of %s" % (sharing, list(SHARING)))
    return {"sharing": sharing, "solver": Solver()}


def thread_shared_solver(ctx, index):
    # Thread `index` gets the one shared Solver, or a Solver of its own.
    return ctx["solver"] if ctx["sharing"] == "shared" else Solver()


def bench_shared_solver(loops, solver):
    x = None
    for _ in repeat(None, loops):
        x = solver.solve()
    return ["%.9f" % v for v in x]

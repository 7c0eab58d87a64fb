"""Scaling: N threads each doing the full work (weak scaling), from independent work to known contention.

What it measures, and why
-------------------------
Every benchmark runs on N threads that the worker starts once and releases
together from a barrier; each thread calls `bench_<name>(loops, ctx)` and the
sample is the wall time until the last thread is done. Every thread does the
whole job (weak scaling), so with T(N) the time per operation at N threads:

    speedup(N) = N * T(1) / T(N)        efficiency(N) = speedup(N) / N

With the GIL, speedup stays near 1 whatever N is. Without it, work that
touches only thread-private objects should reach speedup ~N; work that
touches the same objects from every thread pays for it. In the free-threaded
build, an object's reference count has a fast non-atomic half for the thread
that created it and an atomic "shared" half for all other threads, so reading
(and thereby incref/decref-ing) one object from many threads bounces its
cache line between cores. Immortal objects skip reference counting. What is
immortal changes between versions, which is why these workloads are worth
tracking over time; on 3.13.5t (checked with sys.getrefcount):
None, True, small ints and all str constants of code objects are immortal;
top-level functions, modules, code objects and classes use deferred
reference counting and are made immortal once a second thread starts
(gh-117783); int and float constants above the small-int range, tuple
constants and nested functions (closures) are ordinary shared objects.

Data meant to be thread-private is built by the thread that uses it, on its
first call, and kept in a threading.local (see `_own`), because an object
made in setup belongs to the main thread and every other thread's reference
counting on it takes the atomic path.

The benchmarks:
- independent-arith, per-thread-objects: what should scale (locals only; each
  thread's own list, dict and object); int-constant-arith is independent-arith
  with one large int constant (0xFFFF) in the loop: the same work, plus one
  shared object;
- shared-list-read, shared-dict-read, global-read: reads of one shared list,
  dict and module globals (objects created at import, so not immortal);
- str-constant-compare, tuple-constant: comparisons against a string constant
  and membership in a tuple constant, both held in the one shared code object;
- module-attr-call: a pure-Python stdlib function called through its module
  (colorsys.rgb_to_hsv, whose code holds float constants); c-function-call: C functions through their module
  (math.sqrt, math.floor) and builtins (len, abs);
- shared-object-method: read-only method calls on one object shared by all
  threads (the instance and its attribute values are shared);
- object-creation, closure-creation, dict-creation: allocation of instances of
  one shared class, of closures of one shared code object, of small dicts;
- thread-local-read: reads of a `threading.local` attribute;
- generators: creating and exhausting small generators of one shared function.

One loop iteration is a small unit of `ops` operations (about 2-20 us), so the
worker can size a round of samples; results are per operation. `threads` is
declared as [1, 2] and replaced by the harness with 1..usable cores (and 2x
cores when oversubscribing). Each kernel returns a checksum that depends only
on its inputs, identical on every thread and in every mode.
"""

import colorsys
import math
import threading
from itertools import repeat

INNER = 100  # operations per loop iteration for most kernels


_OWN = threading.local()


def _own(name, build):
    """This thread's private data for `name`: built by this thread on its first call, then kept."""
    data = getattr(_OWN, name, None)
    if data is None:
        data = build()
        setattr(_OWN, name, data)
    return data


def _declare(doc, ops=INNER):
    return {"params": {"threads": [1, 2]}, "ops": ops, "doc": doc}


BENCHMARKS = {
    "independent_arith": _declare("integer arithmetic on locals only: should scale linearly without the GIL"),
    "int_constant_arith": _declare("the same arithmetic with a large int constant (0xFFFF), a shared object"),
    "per_thread_objects": _declare("each thread updates its own object, list and dict: should scale"),
    "shared_list_read": _declare("reads of the items of one list shared by all threads"),
    "shared_dict_read": _declare("lookups in one dict shared by all threads"),
    "global_read": _declare("reads of module globals holding a float and a dict"),
    "str_constant_compare": _declare("== against a string constant of the shared code object"),
    "tuple_constant": _declare("`in` tests against a tuple constant of floats and strings"),
    "module_attr_call": _declare("calls of colorsys.rgb_to_hsv, a pure-Python function, via its module", ops=20),
    "c_function_call": _declare("calls of C functions: math.sqrt and math.floor via math, len and abs"),
    "shared_object_method": _declare("read-only method calls on one object shared by all threads"),
    "object_creation": _declare("instances of one class with an __init__ (shared type object)"),
    "closure_creation": _declare("closures made by one factory function, then called once"),
    "dict_creation": _declare("small dict displays with three str keys"),
    "thread_local_read": _declare("reads of an attribute of one threading.local"),
    "generators": _declare("10 generators of 10 items created and exhausted per loop"),
}


# --- what should scale -----------------------------------------------------------------------

def bench_independent_arith(loops, ctx):
    # A hash-mixing loop on locals. Its constants are small ints (immortal): a constant
    # such as 0xFFFF would be one shared object whose reference count every thread bumps.
    x = 0
    for i in range(loops):
        x = i & 255
        for j in range(INNER):
            x = (x * 31 + j) & 255
    return x


def bench_int_constant_arith(loops, ctx):
    # independent-arith's loop, masked with 0xFFFF: a constant outside the small-int cache.
    x = 0
    for i in range(loops):
        x = i & 255
        for j in range(INNER):
            x = (x * 31 + j) & 0xFFFF
    return x


class _Tally:
    def __init__(self):
        self.total = 0
        self.recent = []
        self.by_bucket = {}


def bench_per_thread_objects(loops, ctx):
    # Made by the thread that uses it: the free-threaded build's reference counts
    # are cheap only for the thread that created an object (biased reference counting).
    tally = _own("tally", _Tally)
    for _ in repeat(None, loops):
        tally.total = 0
        recent = tally.recent
        recent.clear()
        buckets = tally.by_bucket
        for j in range(INNER):
            tally.total += j
            recent.append(j)
            buckets[j & 15] = tally.total
    return tally.total, len(tally.recent), sorted(tally.by_bucket.items())


# --- reads of shared containers and globals --------------------------------------------------

class _Shared:
    def __init__(self):
        # Ints above 256 and runtime-built strings: ordinary, non-immortal objects.
        self.items = [1000 + i for i in range(INNER)]
        self.table = {"key%d" % i: 1000 + i for i in range(INNER)}
        self.keys = tuple(self.table)


def setup_shared_list_read(threads):
    return _Shared()


def bench_shared_list_read(loops, shared):
    items = shared.items
    x = 0
    for _ in repeat(None, loops):
        for j in range(INNER):
            x = items[j]
    return x


def setup_shared_dict_read(threads):
    return _Shared()


def bench_shared_dict_read(loops, shared):
    table = shared.table
    keys = shared.keys
    x = 0
    for _ in repeat(None, loops):
        for key in keys:
            x = table[key]
    return x


_RATE = float("2.5")  # built at import: a plain heap float, not a code constant
_LIMITS = {"cpu": 4, "memory": 512}


def bench_global_read(loops, ctx):
    x = y = None
    for _ in repeat(None, loops):
        for _ in range(INNER // 2):
            x = _RATE
            y = _LIMITS
    return x, len(y)


# --- constants of the shared code object -----------------------------------------------------

def bench_str_constant_compare(loops, ctx):
    # Each thread compares its own runtime-built (so not interned) strings, made by itself.
    words = _own("words", lambda: ["transaction-" + ("committed" if i % 4 == 0 else "pending") for i in range(INNER)])
    hits = 0
    for _ in repeat(None, loops):
        hits = 0
        for word in words:
            if word == "transaction-committed":
                hits += 1
    return hits


def bench_tuple_constant(loops, ctx):
    values = _own("values", lambda: [float(i % 8) / 2 for i in range(INNER)])  # this thread's own floats
    hits = 0
    for _ in repeat(None, loops):
        hits = 0
        for v in values:
            if v in (0.5, 1.5, 2.5, "none", "all"):
                hits += 1
    return hits


# --- calls through modules and on a shared object --------------------------------------------

def bench_module_attr_call(loops, ctx):
    h = 0.0
    for _ in repeat(None, loops):
        for j in range(20):
            h, s, v = colorsys.rgb_to_hsv(0.2, j / 20, 0.7)
    return "%.9f" % h


def bench_c_function_call(loops, ctx):
    text = "free-threading"
    x = 0
    for _ in repeat(None, loops):
        for j in range(INNER // 4):
            x = math.floor(math.sqrt(j)) + len(text) + abs(-j)
    return x


class _Thermostat:
    def __init__(self, scale, offset):
        self.scale = scale
        self.offset = offset

    def reading(self, raw):
        return self.scale * raw + self.offset


def setup_shared_object_method(threads):
    return _Thermostat(3, 7)


def bench_shared_object_method(loops, thermostat):
    x = 0
    for _ in repeat(None, loops):
        for j in range(INNER):
            x = thermostat.reading(j)
    return x


# --- allocation ------------------------------------------------------------------------------

class _Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def bench_object_creation(loops, ctx):
    p = None
    for _ in repeat(None, loops):
        for j in range(INNER):
            p = _Point(j, -j)
    return p.x, p.y


def _make_adder(k):
    def add(x):
        return x + k

    return add


def bench_closure_creation(loops, ctx):
    x = 0
    for _ in repeat(None, loops):
        for j in range(INNER):
            x = _make_adder(j)(1)
    return x


def bench_dict_creation(loops, ctx):
    d = None
    for _ in repeat(None, loops):
        for j in range(INNER):
            d = {"id": j, "name": "item", "parent": None}
    return sorted(d.items(), key=repr)


# --- thread-local state and generators -------------------------------------------------------

def setup_thread_local_read(threads):
    return threading.local()


def bench_thread_local_read(loops, local):
    # thread_<name> runs on the main thread, so each worker thread sets its own value here.
    if not hasattr(local, "depth"):
        local.depth = 3
    x = 0
    for _ in repeat(None, loops):
        for _ in range(INNER):
            x = local.depth
    return x


def _countdown(n):
    while n:
        yield n
        n -= 1


def bench_generators(loops, ctx):
    total = 0
    for _ in repeat(None, loops):
        total = 0
        for _ in range(INNER // 10):
            for value in _countdown(10):
                total += value
    return total

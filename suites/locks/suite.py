"""Shared-state reads: ns per read from N reader threads, lock-free vs Lock vs RLock vs private copies.

What it measures, and why
-------------------------
Code that becomes multi-threaded must decide how threads read shared state:
read it as is (safe for single reads of dicts, lists and attributes in both
builds), put every read under a `threading.Lock` or `RLock`, or give each
thread its own copy. This suite prices the four choices for the four places
state lives: a dict item (`dict-read`), a list item (`list-read`), an object
attribute (`attr-read`) and a module global (`global-read`).

Parameters of every benchmark:
- `threads`: reader threads (the harness replaces [1, 2] by 1..usable cores);
- `lock`: `none` (read the shared structure directly), `lock` (each read inside
  `with lock:` on one shared threading.Lock), `rlock` (the same with
  threading.RLock), `private` (each thread reads its own copy: the ideal);
- `writer`: whether one more thread mutates the shared structure while the
  readers run (taking the same lock when there is one).

One loop iteration is READS reads (`ops`), so the result is ns per read per
thread; total reads/s is threads * 1e9 / (ns per read). Weak scaling as in
the scaling suite: every thread does all the reads.

Private copies, and the key tuple every mode iterates, are built by the
reading thread on its first call (kept in a threading.local, so later samples
do not pay for the build), so the free-threaded build counts them
as that thread's own objects (biased reference counting); shared values are
floats made in setup by the main thread, so every reader increments their
reference counts on the atomic, shared path, as real shared state would. Dict
keys are interned strings, immortal in the free-threaded build (as identifier
keys are), so what dict-read contends on is the dict and its values.

The writer
----------
The writer thread is started in setup and stopped in teardown, but it only
writes between `begin_<name>` and `end_<name>`, that is while a sample is
timed: the harness keeps several worker processes alive, and a writer that
ran all the time would steal CPU from the process being measured. It
writes in bursts of WRITE_BURST stores (new float objects equal to the old
values, so the readers' checksum does not change), then sleeps WRITER_PAUSE
seconds. The sleep is what keeps readers progressing under the GIL: the writer
gives the GIL up at every pause and, having asked for it back, often waits
for a reader's switch interval (5 ms) to run out, so with the GIL it makes a
few thousand writes/s (2-20 thousand on a 2-core test machine) and barely
slows the readers. Without the GIL it runs on its own core at up to ~10^5
writes/s, so every reader sees the structure change every few microseconds:
enough to keep cache lines moving and the lock contended, while using a small
share of one core, so that on a small machine the writer cases measure
contention rather than a stolen CPU. Both rates drop when the writer must
take the readers' lock.
"""

import sys
import threading
import time
import types
from itertools import repeat

READS = 64
WRITE_BURST = 16
WRITER_PAUSE = 50e-6
LOCK_MODES = ("none", "lock", "rlock", "private")

_PARAMS = {"threads": [1, 2], "lock": list(LOCK_MODES), "writer": [False, True]}
BENCHMARKS = {
    "dict_read": {"params": _PARAMS, "ops": READS, "doc": "reads of a dict item (str keys, float values)"},
    "list_read": {"params": _PARAMS, "ops": READS, "doc": "reads of a list item by index"},
    "attr_read": {"params": _PARAMS, "ops": READS, "doc": "reads of an attribute of one object"},
    "global_read": {"params": _PARAMS, "ops": READS, "doc": "reads of a module global"},
}


def _value(i):
    # A fresh float on every call (i + 0.5 is never a cached constant).
    return float(i) + 0.5


# --- the structures: build, write one item, and the two ways to read ---------------------

_KEYS = tuple(sys.intern("key%d" % i) for i in range(READS))  # interned, like identifier keys


class _Config:
    def __init__(self):
        self.value = _value(7)


def _build_dict():
    return {k: _value(i) for i, k in enumerate(_KEYS)}


def _write_dict(table, i):
    table[_KEYS[i % READS]] = _value(i % READS)


def _dict_unlocked(loops, table, keys, lock):
    x = None
    for _ in repeat(None, loops):
        for k in keys:
            x = table[k]
    return x


def _dict_locked(loops, table, keys, lock):
    x = None
    for _ in repeat(None, loops):
        for k in keys:
            with lock:
                x = table[k]
    return x


def _build_list():
    return [_value(i) for i in range(READS)]


def _write_list(items, i):
    items[i % READS] = _value(i % READS)


def _list_unlocked(loops, items, indexes, lock):
    x = None
    for _ in repeat(None, loops):
        for i in indexes:
            x = items[i]
    return x


def _list_locked(loops, items, indexes, lock):
    x = None
    for _ in repeat(None, loops):
        for i in indexes:
            with lock:
                x = items[i]
    return x


def _write_attr(config, i):
    config.value = _value(7)


def _attr_unlocked(loops, config, keys, lock):
    x = None
    for _ in repeat(None, loops):
        for _ in keys:
            x = config.value
    return x


def _attr_locked(loops, config, keys, lock):
    x = None
    for _ in repeat(None, loops):
        for _ in keys:
            with lock:
                x = config.value
    return x


_GLOBAL_VALUE = _value(3)


def _build_globals():
    # A private "module namespace" for one thread: the private reader runs with it as globals.
    return {"__builtins__": __builtins__, "repeat": repeat, "_GLOBAL_VALUE": _value(3)}


def _write_global(namespace, i):
    namespace["_GLOBAL_VALUE"] = _value(3)


def _global_unlocked(loops, namespace, keys, lock):
    x = None
    for _ in repeat(None, loops):
        for _ in keys:
            x = _GLOBAL_VALUE
    return x


def _global_locked(loops, namespace, keys, lock):
    x = None
    for _ in repeat(None, loops):
        for _ in keys:
            with lock:
                x = _GLOBAL_VALUE
    return x


def _private_global_reader(namespace):
    # The same code as _global_unlocked, bound to the thread's own globals dict.
    return types.FunctionType(_global_unlocked.__code__, namespace, "_global_private")


_STRUCTURES = {
    # name: (build the shared structure, write item i, unlocked reader, locked reader, index source)
    "dict": (_build_dict, _write_dict, _dict_unlocked, _dict_locked, _KEYS),
    "list": (_build_list, _write_list, _list_unlocked, _list_locked, range(READS)),
    "attr": (_Config, _write_attr, _attr_unlocked, _attr_locked, range(READS)),
    "global": (_build_globals, _write_global, _global_unlocked, _global_locked, range(READS)),
}


# --- one case: shared state, its lock and the writer -------------------------------------

class _Case:
    def __init__(self, structure, threads, lock, writer):
        if lock not in LOCK_MODES:
            raise ValueError("locks: lock=%r is not supported; use one of %s" % (lock, list(LOCK_MODES)))
        if not isinstance(writer, bool):
            raise ValueError("locks: writer=%r must be true or false" % (writer,))
        if not isinstance(threads, int) or threads < 1:
            raise ValueError("locks: threads=%r must be a positive integer" % (threads,))
        self.structure = structure
        self.mode = lock
        self.build, self.write, self.unlocked, self.locked, self.index = _STRUCTURES[structure]
        # The module's own globals are the shared namespace of global-read.
        self.shared = globals() if structure == "global" else self.build()
        self.lock = {"lock": threading.Lock, "rlock": threading.RLock}.get(lock, threading.Lock)()
        self.per_thread = threading.local()
        self.writes = 0
        self.may_write = threading.Event()
        self.stopping = False
        self.writer = None
        if writer:
            self.writer = threading.Thread(target=self._write_loop, name="gilbench-writer", daemon=True)
            self.writer.start()

    def _write_loop(self):
        locked = self.mode in ("lock", "rlock")
        shared, write, lock = self.shared, self.write, self.lock
        i = 0
        while not self.stopping:
            if not self.may_write.wait(0.1):
                continue
            for _ in range(WRITE_BURST):
                if locked:
                    with lock:
                        write(shared, i)
                else:
                    write(shared, i)
                i += 1
            self.writes += WRITE_BURST
            time.sleep(WRITER_PAUSE)

    def _own(self):
        # This thread's key tuple and, in private mode, its copy of the structure: built by
        # the thread itself on its first call and kept, so samples never include the build.
        own = self.per_thread
        try:
            return own.keys, own.copy, own.reader
        except AttributeError:
            own.keys = tuple(self.index)
            own.copy = self.build() if self.mode == "private" else None
            own.reader = _private_global_reader(own.copy) if self.structure == "global" and own.copy else self.unlocked
            return own.keys, own.copy, own.reader

    def read(self, loops):
        keys, copy, reader = self._own()
        if self.mode == "private":
            return reader(loops, copy, keys, None)
        if self.mode == "none":
            return self.unlocked(loops, self.shared, keys, None)
        return self.locked(loops, self.shared, keys, self.lock)

    def close(self):
        self.stopping = True
        self.may_write.set()
        if self.writer is not None:
            self.writer.join(timeout=2)
        if self.structure == "global":
            _write_global(self.shared, 0)


# --- the convention's functions ---------------------------------------------------------

def setup_dict_read(threads, lock, writer):
    return _Case("dict", threads, lock, writer)


def setup_list_read(threads, lock, writer):
    return _Case("list", threads, lock, writer)


def setup_attr_read(threads, lock, writer):
    return _Case("attr", threads, lock, writer)


def setup_global_read(threads, lock, writer):
    return _Case("global", threads, lock, writer)


def bench_dict_read(loops, case):
    return case.read(loops)


def bench_list_read(loops, case):
    return case.read(loops)


def bench_attr_read(loops, case):
    return case.read(loops)


def bench_global_read(loops, case):
    return case.read(loops)


def _begin(case):
    case.may_write.set()  # untimed, right before a sample: the writer may run


def _end(case):
    case.may_write.clear()  # right after the sample: the writer pauses


def _teardown(case):
    case.close()


begin_dict_read = begin_list_read = begin_attr_read = begin_global_read = _begin
end_dict_read = end_list_read = end_attr_read = end_global_read = _end
teardown_dict_read = teardown_list_read = teardown_attr_read = teardown_global_read = _teardown

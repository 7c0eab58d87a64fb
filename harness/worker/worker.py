"""gilbench runtime worker: runs inside the interpreter being measured.

Speaks JSON lines: one request per line on stdin, one reply per line on a
private copy of the original stdout. The benchmark's own prints are sent to
stderr, so they can never corrupt the protocol. Standard library only, and
Python 3.9+ syntax, because it runs in every runtime gilbench measures.

Requests ({"cmd": ..., ...}) and replies ({"ok": true, ...} or
{"ok": false, "error": "...", "kind": "benchmark"|"protocol"}):

  hello                         -> interpreter facts, GIL state, usable cores, gil_enabled_by
  list   {file}                 -> the suite's docstring and benchmarks (name, function, params,
                                   ops, doc, category: a BENCHMARKS entry's "category" or null)
  load   {file, benchmark, params, pin}
                                -> runs setup, computes the checksum, starts threads;
                                   {checksum, ops, threaded, gil_enabled, gil_enabled_by}
  calibrate {target_ns, max_loops}
                                -> loops per sample
  sample {loops, empty_loops}   -> {ns, empty_ns}: one timed batch of `loops` iterations,
                                   and the empty loop timed just before it
  gil                           -> {gil_enabled, gil_enabled_by}

`gil_enabled_by` lists, in import order, the modules whose import turned the
GIL on in a free-threaded build (taken from CPython's RuntimeWarning "The
global interpreter lock (GIL) has been enabled to load module '...'").
  rss                           -> {peak_rss_bytes}
  exit                          -> tears the case down and ends the process
"""

import gc
import hashlib
import importlib.util
import json
import os
import sys
import threading
import time
import re
import traceback
import types
import warnings
from itertools import repeat

perf_ns = time.perf_counter_ns


class BenchmarkError(Exception):
    """An error in the user's benchmark code (as opposed to the protocol)."""


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


# CPython 3.13+ warns with this text when importing an extension that does not
# declare Py_mod_gil turns the GIL back on in a free-threaded build.
GIL_WARNING = re.compile(r"global interpreter lock \(GIL\) has been enabled to load module '([^']+)'")
gil_enabled_by = []


def watch_gil_warnings():
    """Record every module named by the GIL warning, and still show the warning on stderr."""
    # "always": the default filter shows a warning once per code location, and
    # every import is issued from the same place in the import machinery.
    warnings.filterwarnings("always", message=".*global interpreter lock", category=RuntimeWarning)
    shown = warnings.showwarning

    def record(message, category, filename, lineno, file=None, line=None):
        match = GIL_WARNING.search(str(message))
        if match and match.group(1) not in gil_enabled_by:
            gil_enabled_by.append(match.group(1))
        shown(message, category, filename, lineno, file, line)

    warnings.showwarning = record


def usable_cores():
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity API
        return list(range(os.cpu_count() or 1))


def peak_rss_bytes():
    # The kernel's high-water mark of the resident set, for this process.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    except (ImportError, OSError):
        return None


def load_module(path):
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise BenchmarkError("suite file not found: %s" % path)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # so a suite can import its sibling modules
    name = "gilbench_suite_" + hashlib.sha256(path.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise BenchmarkError("%s:%s: syntax error: %s" % (path, err.lineno, err.msg))
    except Exception as err:
        raise BenchmarkError("%s: import failed: %s: %s" % (path, type(err).__name__, err))
    return module


def describe_suite(module, path):
    declared = getattr(module, "BENCHMARKS", {}) or {}
    if not isinstance(declared, dict):
        raise BenchmarkError("%s: BENCHMARKS must be a dict" % path)
    found = [n[len("bench_") :] for n in dir(module) if n.startswith("bench_") and callable(getattr(module, n))]
    unknown = sorted(set(declared) - set(found))
    if unknown:
        raise BenchmarkError("%s: BENCHMARKS names %s but there is no bench_%s function" % (path, unknown[0], unknown[0]))
    benchmarks = []
    for name in sorted(found):
        meta = declared.get(name, {}) or {}
        params = meta.get("params", {}) or {}
        for key, values in params.items():
            if not isinstance(values, (list, tuple)) or not values:
                raise BenchmarkError("%s: BENCHMARKS[%r]['params'][%r] must be a non-empty list" % (path, name, key))
        ops = meta.get("ops", 1)
        if not isinstance(ops, int) or ops < 1:
            raise BenchmarkError("%s: BENCHMARKS[%r]['ops'] must be a positive integer" % (path, name))
        category = meta.get("category")
        if category is not None and (not isinstance(category, str) or not category):
            raise BenchmarkError("%s: BENCHMARKS[%r]['category'] must be a non-empty string" % (path, name))
        benchmarks.append(
            {
                "category": category,
                "name": name.replace("_", "-"),
                "function": name,
                "params": {k: list(v) for k, v in params.items()},
                "ops": ops,
                "doc": meta.get("doc") or (getattr(module, "bench_" + name).__doc__ or "").strip().split("\n")[0],
            }
        )
    doc = (module.__doc__ or "").strip().split("\n")[0]
    return {"description": doc, "benchmarks": benchmarks}


def empty_loop(loops):
    # Same shape as a benchmark body, with nothing inside: its time is the loop cost.
    for _ in repeat(None, loops):
        pass


class Case:
    """One loaded benchmark case, with its threads parked at a barrier if threaded."""

    def __init__(self, module, path, function, params, pin):
        self.path = path
        self.function = function
        self.bench = getattr(module, "bench_" + function, None)
        if self.bench is None:
            raise BenchmarkError("%s: no function bench_%s" % (path, function))
        setup = getattr(module, "setup_" + function, None)
        self.per_thread = getattr(module, "thread_" + function, None)
        self.teardown_fn = getattr(module, "teardown_" + function, None)
        # Optional untimed hooks around every sample, e.g. to let a writer thread
        # run only while readers are timed (idle worker processes stay idle).
        self.begin_fn = getattr(module, "begin_" + function, None)
        self.end_fn = getattr(module, "end_" + function, None)
        self.threads = params.get("threads")
        self.threaded = self.threads is not None
        if self.threaded and (not isinstance(self.threads, int) or self.threads < 1):
            raise BenchmarkError("%s: bench_%s: threads must be a positive integer" % (path, function))
        self.ctx = self._call("setup_" + function, setup, **params) if setup else types.SimpleNamespace(**params)
        # The checksum's context is made here; a threaded case's threads make
        # their own inside the thread (see _thread_main).
        self.main_ctx = self._thread_ctx(0)
        self.checksum = self._checksum()
        self.loops = 0
        self.errors = []
        self.workers = []
        if self.threaded:
            self._start_threads(pin)

    def _call(self, label, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as err:
            raise BenchmarkError("%s: %s raised %s: %s" % (self.path, label, type(err).__name__, err))

    def _thread_ctx(self, index):
        if self.per_thread is None:
            return self.ctx
        return self._call("thread_" + self.function, self.per_thread, self.ctx, index)

    def _checksum(self):
        value = self._call("bench_" + self.function, self.bench, 1, self.main_ctx)
        if value is None:
            return None
        return hashlib.sha256(repr(value).encode()).hexdigest()[:16]

    def _start_threads(self, pin):
        # All threads start now and wait; each sample releases them together.
        self.start = threading.Barrier(self.threads + 1)
        self.done = threading.Barrier(self.threads + 1)
        self.stopping = False
        cores = usable_cores()
        for index in range(self.threads):
            core = cores[index % len(cores)] if pin else None
            thread = threading.Thread(target=self._thread_main, args=(index, core), daemon=True)
            thread.start()
            self.workers.append(thread)
        self.done.wait()  # every thread has made its context
        if self.errors:
            self.stopping = True
            self.start.abort()
            raise BenchmarkError("%s: %s" % (self.path, self.errors[0]))

    def _thread_main(self, index, core):
        if core is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {core})  # 0 = the calling thread on Linux
        # Made on this thread, so its objects are owned by it: under biased
        # reference counting an object made elsewhere costs atomic operations.
        try:
            ctx = self._thread_ctx(index)
        except BenchmarkError as err:
            self.errors.append("%s (thread %d)" % (str(err).split(": ", 1)[-1], index))
            ctx = None
        self.done.wait()
        while True:
            try:
                self.start.wait()
            except threading.BrokenBarrierError:
                return
            if self.stopping:
                return
            try:
                self.bench(self.loops, ctx)
            except Exception as err:
                self.errors.append("bench_%s raised %s: %s (thread %d)" % (self.function, type(err).__name__, err, index))
            self.done.wait()

    def run(self, loops):
        """Times one sample of `loops` iterations; returns nanoseconds."""
        gc.collect()
        if self.begin_fn:
            self._call("begin_" + self.function, self.begin_fn, self.ctx)
        try:
            return self._timed(loops)
        finally:
            if self.end_fn:
                self._call("end_" + self.function, self.end_fn, self.ctx)

    def _timed(self, loops):
        if not self.threaded:
            ctx = self.main_ctx
            try:
                t0 = perf_ns()
                self.bench(loops, ctx)
                t1 = perf_ns()
            except Exception as err:
                raise BenchmarkError("%s: bench_%s raised %s: %s" % (self.path, self.function, type(err).__name__, err))
            return t1 - t0
        self.loops = loops
        t0 = perf_ns()
        self.start.wait()
        self.done.wait()
        t1 = perf_ns()
        if self.errors:
            raise BenchmarkError("%s: %s" % (self.path, self.errors[0]))
        return t1 - t0

    def close(self):
        if self.threaded and self.workers:
            self.stopping = True
            try:
                self.start.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass
        if self.teardown_fn:
            self._call("teardown_" + self.function, self.teardown_fn, self.ctx)


class Worker:
    def __init__(self):
        self.case = None

    def hello(self, req):
        return {
            "python": sys.executable,
            "version": "%d.%d.%d" % sys.version_info[:3],
            "implementation": sys.implementation.name,
            "gil_enabled": gil_enabled(),
            "gil_enabled_by": list(gil_enabled_by),
            "usable_cores": len(usable_cores()),
            "pid": os.getpid(),
            "timer_resolution_ns": time.get_clock_info("perf_counter").resolution * 1e9,
        }

    def list(self, req):
        path = req["file"]
        return describe_suite(load_module(path), path)

    def load(self, req):
        if self.case is not None:
            raise BenchmarkError("a case is already loaded in this worker")
        path = req["file"]
        module = load_module(path)
        described = describe_suite(module, path)
        wanted = req["benchmark"]
        match = [b for b in described["benchmarks"] if b["name"] == wanted or b["function"] == wanted]
        if not match:
            raise BenchmarkError("%s: no benchmark named %r" % (path, wanted))
        meta = match[0]
        params = req.get("params") or {}
        for key in params:
            if key not in meta["params"] and key != "threads":
                raise BenchmarkError("%s: benchmark %s has no parameter %r" % (path, meta["name"], key))
        self.case = Case(module, path, meta["function"], params, bool(req.get("pin")))
        return {
            "checksum": self.case.checksum,
            "ops": meta["ops"],
            "threaded": self.case.threaded,
            "gil_enabled": gil_enabled(),
            "gil_enabled_by": list(gil_enabled_by),
        }

    def calibrate(self, req):
        case = self._loaded()
        target = int(req["target_ns"])
        max_loops = int(req.get("max_loops") or 10**9)
        loops = 1
        while True:
            elapsed = case.run(loops)
            if elapsed >= target / 4:
                # One preemption (or a late wake-up at a thread barrier) can make a
                # tiny batch look long: confirm with the fastest of three.
                elapsed = min(elapsed, case.run(loops), case.run(loops))
            if elapsed >= target / 4 or loops >= max_loops:
                break
            # Grow fast while far from the target, then aim straight at it.
            loops = min(max_loops, loops * (10 if elapsed < target / 100 else 2))
        if elapsed > 0:
            loops = max(1, min(max_loops, int(round(loops * target / elapsed))))
        return {"loops": loops}

    def sample(self, req):
        """Times the benchmark; with `empty_loops`, first times that many empty
        iterations too, so the loop cost is measured beside every sample, under
        the same machine conditions, instead of once at a quiet moment."""
        case = self._loaded()
        empty_loops = int(req.get("empty_loops") or 0)
        empty_ns = None
        if empty_loops and not case.threaded:
            t0 = perf_ns()
            empty_loop(empty_loops)
            empty_ns = perf_ns() - t0
        return {"ns": case.run(int(req["loops"])), "empty_ns": empty_ns}

    def gil(self, req):
        return {"gil_enabled": gil_enabled(), "gil_enabled_by": list(gil_enabled_by)}

    def rss(self, req):
        return {"peak_rss_bytes": peak_rss_bytes()}

    def exit(self, req):
        if self.case is not None:
            self.case.close()
        return {}

    def _loaded(self):
        if self.case is None:
            raise BenchmarkError("no case loaded")
        return self.case


def main():
    # Keep the protocol on a private descriptor; the benchmark's stdout goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    watch_gil_warnings()
    worker = Worker()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = None
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            handler = getattr(worker, cmd, None) if isinstance(cmd, str) and not cmd.startswith("_") else None
            if handler is None:
                reply = {"ok": False, "kind": "protocol", "error": "unknown command %r" % (cmd,)}
            else:
                reply = handler(req)
                reply["ok"] = True
        except BenchmarkError as err:
            reply = {"ok": False, "kind": "benchmark", "error": str(err)}
        except Exception as err:
            reply = {"ok": False, "kind": "benchmark", "error": "%s: %s" % (type(err).__name__, err), "traceback": traceback.format_exc()[-4000:]}
        if isinstance(req, dict) and "id" in req:
            reply["id"] = req["id"]
        protocol.write(json.dumps(reply) + "\n")
        if isinstance(req, dict) and req.get("cmd") == "exit":
            break
    protocol.flush()
    os._exit(0)  # daemon benchmark threads must not keep the process alive


if __name__ == "__main__":
    main()

"""Single-thread overhead: realistic pure-Python kernels on one thread, the free-threaded build's cost.

What it measures, and why
-------------------------
The free-threaded build pays for thread safety on every thread, even when a
program has only one: atomic reference counts on shared objects, per-object
locks in dict/list operations, mimalloc instead of pymalloc, a different GC,
and on 3.13 no specializing adaptive interpreter (PEP 659 specialization is
disabled in free-threaded 3.13 builds, re-enabled in 3.14). This suite runs
kernels that stand for real programs, not one-liners, one thread each, so the
ratio nogil/gil per kernel and their geometric mean is the headline
"single-thread overhead", and the peak RSS per kernel shows the memory side
(PEP 779 set 20% as the bar). Most kernels hold little data, so their RSS is
mostly the interpreter's own; object-cache keeps 60,000 objects alive so the
per-object cost (a larger object header and mimalloc in the free-threaded
build) shows up as well.

Each kernel's one iteration is a complete small job (roughly 0.3-3 ms on a
current machine) that starts from the inputs built in setup, so its result
does not depend on how many iterations ran before. The returned checksum is
built only from exact values (ints, strings, floats formatted with a fixed
number of digits) and never from set iteration order, id() or str hashes, so
it is the same on 3.9 through 3.14, with and without the GIL.

The kernels live in sibling modules (imported normally: the worker puts this
folder on sys.path): st_numeric (nbody, spectral-norm, fannkuch), st_objects
(richards, classes, closures, exceptions, generators, recursion,
binary-trees), st_solvers (constraints, board-playout: object- and
attribute-heavy solvers; ray-trace, particles: float objects and method
calls), st_text (string-build, regex, json) and st_data
(comprehensions, dict-set, sort-key, pickle, deepcopy, object-cache). The `st_` prefix keeps
their names from shadowing anything else on sys.path.

Every kernel has a `category` (numeric, objects, text, data): `gilbench compare`
reports the geometric mean per category beside the overall one, because the
overall figure depends on the mix (C-heavy text and data kernels lose little
without the GIL; object- and float-object-heavy code loses most).
"""

from st_data import (  # noqa: F401  (bench_/setup_ names are found by the worker)
    bench_comprehensions,
    bench_deepcopy,
    bench_dict_set,
    bench_object_cache,
    bench_pickle,
    bench_sort_key,
    setup_deepcopy,
    setup_dict_set,
    setup_object_cache,
    setup_pickle,
    setup_sort_key,
)
from st_numeric import bench_fannkuch, bench_nbody, bench_spectral_norm, setup_nbody  # noqa: F401
from st_objects import (  # noqa: F401
    bench_binary_trees,
    bench_classes,
    bench_closures,
    bench_exceptions,
    bench_generators,
    bench_recursion,
    bench_richards,
    setup_exceptions,
    setup_generators,
)
from st_solvers import (  # noqa: F401
    bench_board_playout,
    bench_constraints,
    bench_particles,
    bench_ray_trace,
    setup_board_playout,
)
from st_text import (  # noqa: F401
    bench_json,
    bench_regex,
    bench_string_build,
    setup_json,
    setup_regex,
    setup_string_build,
)

BENCHMARKS = {
    # Numeric
    "nbody": {"doc": "n-body orbit simulation: float arithmetic on lists, 150 steps of 5 bodies", "category": "numeric"},
    "spectral_norm": {"doc": "spectral norm of a 24x24 implicit matrix: generator expressions over floats", "category": "numeric"},
    "fannkuch": {"doc": "fannkuch(6): all permutations of 6 items, slice reversal of lists", "category": "numeric"},
    "particles": {
        "doc": "a spring mesh of particle objects: float attributes read and written every step",
        "category": "numeric",
    },
    "ray_trace": {
        "doc": "a 16x10 ray-traced scene: vector objects, method calls, shadows and reflections",
        "category": "numeric",
    },
    # Objects, calls and control flow
    "richards": {"doc": "OS task scheduler simulation: polymorphic method calls and attribute access", "category": "objects"},
    "classes": {"doc": "a domain model: class instantiation, super().__init__, properties, __slots__", "category": "objects"},
    "closures": {"doc": "decorators (functools.wraps), nonlocal counters, memoization, function factories", "category": "objects"},
    "exceptions": {"doc": "input validation: raise/except over an exception hierarchy, raise from, with-blocks", "category": "objects"},
    "generators": {"doc": "lazy generator pipelines, yield-from tree walks and a send() coroutine", "category": "objects"},
    "recursion": {"doc": "an expression tree: recursive build, evaluation and printing (interpreters)", "category": "objects"},
    "binary_trees": {"doc": "allocate and walk many short-lived tuple trees (allocator and GC pressure)", "category": "objects"},
    "constraints": {
        "doc": "an incremental one-way constraint network: planning walks over many small objects",
        "category": "objects",
    },
    "board_playout": {
        "doc": "playouts on a 9x9 go-like board: point objects, union-find groups, captures",
        "category": "objects",
    },
    # Text
    "string_build": {"doc": "a text report: f-strings, %-format, str.format, join, split and str methods", "category": "text"},
    "regex": {"doc": "log parsing with re: match with named groups, findall, sub with a callback, split", "category": "text"},
    "json": {"doc": "json dumps and loads of an API payload, compact (C encoder) and indented (Python encoder)", "category": "text"},
    # Data structures
    "comprehensions": {"doc": "list, dict and set comprehensions and generator expressions over small matrices", "category": "data"},
    "dict_set": {"doc": "word counting, grouping with setdefault, de-duplication and set algebra on str keys", "category": "data"},
    "sort_key": {"doc": "sorting 400 records with lambda, itemgetter, attrgetter and str.lower keys", "category": "data"},
    "pickle": {"doc": "pickle dumps and loads of an object graph of 200 records with shared references", "category": "data"},
    "deepcopy": {"doc": "copy.deepcopy of nested configuration with dicts, lists, tuples and objects", "category": "data"},
    "object_cache": {"doc": "1000 lookups in a cache of 60,000 objects: the large-heap kernel for peak RSS", "category": "data"},
}

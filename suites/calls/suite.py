"""Call overhead: ns per call by call shape and number of arguments (x = arity), loop cost subtracted.

What it measures, and why
-------------------------
Calls are where the free-threaded 3.13 build loses most of its single-thread
speed: without the specializing interpreter there is no CALL_PY_EXACT_ARGS,
CALL_BOUND_METHOD_EXACT_ARGS, CALL_BUILTIN_FAST and friends, and every call
increments and decrements reference counts on the callable and its
arguments. This suite times the call itself, shape by shape, so a change in
one calling convention shows up as one series.

Every benchmark has one parameter, `arity`: the number of arguments the callee
receives. A chart draws one line per benchmark (shape) with x = arity, and
the ratio nogil/gil per shape compares modes. `positional` covers arity 0-8;
the other shapes take 1, 4 and 8 (enough to show the slope per argument
while keeping the case matrix small):

| benchmark          | callee                          | call                         |
|--------------------|---------------------------------|------------------------------|
| positional         | def f(a1, .., an)               | f(a1, .., an)                |
| keyword            | def f(a1, .., an)               | f(a1=a1, .., an=an)          |
| keyword-only       | def f(*, a1, .., an)            | f(a1=a1, .., an=an)          |
| defaults           | def f(a1=1, .., an=n)           | f()  (all n from defaults)   |
| star-args          | def f(a1, .., an)               | f(*args)                     |
| star-args-variadic | def f(*args)                    | f(*args)                     |
| variadic           | def f(*args)                    | f(a1, .., an)                |
| kwargs             | def f(a1, .., an)               | f(**kw)                      |
| kwargs-variadic    | def f(**kw)                     | f(**kw)                      |
| bound-method       | def m(self, a1, .., an)         | obj.m(a1, .., an)            |
| classmethod        | @classmethod def m(cls, ..)     | cls.m(a1, .., an)            |
| staticmethod       | @staticmethod def m(..)         | cls.m(a1, .., an)            |
| builtin            | math.hypot (a C function)       | hypot(a1, .., an)            |
| lambda             | lambda a1, .., an: None         | f(a1, .., an)                |
| closure            | inner function reading a cell   | f(a1, .., an)                |
| partial            | functools.partial(f, 1)         | p(a2, .., an)                |

Method shapes include the attribute lookup (`obj.m` is part of a method
call); `builtin` includes math.hypot's own work, which grows a little with
arity. Python callees have an empty body (`return None`, or the cell read
for `closure`), so the figure is the call and return.

Each loop iteration makes 10 identical calls written out one after the other
(`ops` = 10), so the `for` loop is a small part of the sample and the worker
subtracts the rest (an empty loop timed in the same process). The callee and
the unrolled loop are generated from the tables below with exec, once, in
setup, so every shape and arity is written the same way.
"""

import functools
import math
from itertools import repeat

UNROLL = 10
ALL_ARITIES = list(range(9))
SOME_ARITIES = [1, 4, 8]

# shape -> (callee source, call expression, arities, one-line description).
# In the templates {params} is "a1, a2, ..", {kwparams} "a1=a1, ..", {defaults} "a1=1, ..".
_SHAPES = {
    "positional": ("def target({params}):\n    return None", "target({params})", ALL_ARITIES,
                   "positional arguments to a Python function with that many parameters"),
    "keyword": ("def target({params}):\n    return None", "target({kwparams})", SOME_ARITIES,
                "keyword arguments to positional-or-keyword parameters"),
    "keyword_only": ("def target(*, {params}):\n    return None", "target({kwparams})", SOME_ARITIES,
                     "keyword arguments to keyword-only parameters"),
    "defaults": ("def target({defaults}):\n    return None", "target()", SOME_ARITIES,
                 "no arguments: every parameter takes its default value"),
    "star_args": ("def target({params}):\n    return None", "target(*args)", SOME_ARITIES,
                  "f(*args) into a fixed signature"),
    "star_args_variadic": ("def target(*args):\n    return None", "target(*args)", SOME_ARITIES,
                           "f(*args) into def f(*args)"),
    "variadic": ("def target(*args):\n    return None", "target({params})", SOME_ARITIES,
                 "positional arguments into def f(*args)"),
    "kwargs": ("def target({params}):\n    return None", "target(**kw)", SOME_ARITIES,
               "f(**kw) into a fixed signature"),
    "kwargs_variadic": ("def target(**kw):\n    return None", "target(**kw)", SOME_ARITIES,
                        "f(**kw) into def f(**kw)"),
    "bound_method": ("class Target:\n    def method(self, {params}):\n        return None\ntarget = Target()",
                     "target.method({params})", SOME_ARITIES, "a method called on an instance (lookup included)"),
    "classmethod": ("class target:\n    @classmethod\n    def method(cls, {params}):\n        return None",
                    "target.method({params})", SOME_ARITIES, "a classmethod called on its class"),
    "staticmethod": ("class target:\n    @staticmethod\n    def method({params}):\n        return None",
                     "target.method({params})", SOME_ARITIES, "a staticmethod called on its class"),
    "builtin": ("target = hypot", "target({params})", SOME_ARITIES,
                "math.hypot, a C function taking any number of arguments"),
    "lambda": ("target = lambda {params}: None", "target({params})", SOME_ARITIES, "a lambda"),
    "closure": ("def outer():\n    cell = None\n    def inner({params}):\n        return cell\n    return inner\n"
                "target = outer()", "target({params})", SOME_ARITIES, "a nested function that reads a closure cell"),
    "partial": ("def inner({params}):\n    return None\ntarget = partial(inner, 1)", "target({rest})", SOME_ARITIES,
                "functools.partial with the first argument bound; arity counts all arguments"),
}

_RUNNER = """
def run(loops, target):
    {unpack}args = {args}
    kw = {kw}
    for _ in repeat(None, loops):
{calls}
    return {call}
"""


def _source(shape, arity):
    callee, call, _, _ = _SHAPES[shape]
    names = ["a%d" % i for i in range(1, arity + 1)]
    fill = {
        "params": ", ".join(names),
        "kwparams": ", ".join("%s=%s" % (n, n) for n in names),
        "defaults": ", ".join("%s=%d" % (n, i) for i, n in enumerate(names, 1)),
        "rest": ", ".join(names[1:]),
    }
    call = call.format(**fill)
    runner = _RUNNER.format(
        unpack="%s = %s\n    " % (", ".join(names), ", ".join(str(i) for i in range(1, arity + 1))) if arity > 1
        else ("a1 = 1\n    " if arity == 1 else ""),
        args="(%s)" % "".join(n + ", " for n in names),
        kw="{%s}" % ", ".join("%r: %s" % (n, n) for n in names),
        calls="\n".join("        " + call for _ in range(UNROLL)),
        call=call,
    )
    return callee.format(**fill), runner


def _make_setup(shape):
    def setup(arity):
        arities = _SHAPES[shape][2]
        if arity not in arities:
            raise ValueError("calls/%s: arity=%r is not supported; use one of %s" % (shape, arity, arities))
        callee_src, runner_src = _source(shape, arity)
        namespace = {"hypot": math.hypot, "partial": functools.partial, "repeat": repeat}
        exec(compile(callee_src, "<calls/%s callee>" % shape, "exec"), namespace)
        exec(compile(runner_src, "<calls/%s arity %d>" % (shape, arity), "exec"), namespace)
        return namespace["run"], namespace["target"], "%s/%d" % (shape, arity)

    setup.__name__ = "setup_" + shape
    return setup


def _make_bench(shape):
    def bench(loops, ctx):
        run, target, label = ctx
        result = run(loops, target)
        return label, (("%.9f" % result) if isinstance(result, float) else result)

    bench.__name__ = "bench_" + shape
    bench.__doc__ = _SHAPES[shape][3]
    return bench


BENCHMARKS = {}
for _shape, (_callee, _call, _arities, _doc) in _SHAPES.items():
    BENCHMARKS[_shape] = {"params": {"arity": list(_arities)}, "ops": UNROLL, "doc": _doc}
    globals()["setup_" + _shape] = _make_setup(_shape)
    globals()["bench_" + _shape] = _make_bench(_shape)

"""Single-thread kernels: objects, calls and control flow (method dispatch, classes, closures,
exceptions, generators, recursion and allocation)."""

import functools
from itertools import repeat


# --- richards: an operating-system task scheduler (polymorphic method dispatch) ---------------
# Tasks of four kinds pass packets to each other; every step the scheduler asks each task,
# highest priority first, whether it can run and runs the first that can.

class _Packet:
    def __init__(self, kind):
        self.kind = kind  # "work" or "device"
        self.owner = None
        self.datum = 0
        self.data = [0, 0, 0, 0]


class _Task:
    def __init__(self, scheduler, name, priority):
        self.scheduler = scheduler
        self.name = name
        self.priority = priority
        self.inbox = []
        self.held = False
        self.runs = 0

    def receive(self, packet):
        self.inbox.append(packet)

    def ready(self):
        return not self.held and bool(self.inbox)

    def step(self):
        raise NotImplementedError


class _IdleTask(_Task):
    # Always ready; wakes a device now and then, chosen by a shift-register sequence.
    def __init__(self, scheduler, name, priority):
        super().__init__(scheduler, name, priority)
        self.seed = 0x2F1B

    def ready(self):
        return True

    def step(self):
        self.runs += 1
        seed = self.seed
        self.seed = (seed >> 1) ^ (0xD008 if seed & 1 else 0)
        self.scheduler.release("device-a" if seed & 2 else "device-b")


class _WorkerTask(_Task):
    # Fills work packets and sends them to the two handlers in turn.
    def __init__(self, scheduler, name, priority):
        super().__init__(scheduler, name, priority)
        self.destination = "handler-a"
        self.letter = 0

    def step(self):
        self.runs += 1
        packet = self.inbox.pop(0)
        self.destination = "handler-b" if self.destination == "handler-a" else "handler-a"
        packet.datum = 0
        data = packet.data
        for i in range(len(data)):
            self.letter = (self.letter + 1) % 26
            data[i] = self.letter
        self.scheduler.send(packet, self.destination, self.name)


class _HandlerTask(_Task):
    # Turns each datum of a work packet into a device request; returns the packet when done.
    def __init__(self, scheduler, name, priority, device):
        super().__init__(scheduler, name, priority)
        self.device = device
        self.returned = []
        self.spare = [_Packet("device"), _Packet("device")]

    def receive(self, packet):
        (self.inbox if packet.kind == "work" else self.returned).append(packet)

    def ready(self):
        return not self.held and (bool(self.returned) or (bool(self.inbox) and bool(self.spare)))

    def step(self):
        self.runs += 1
        if self.returned:
            self.spare.append(self.returned.pop(0))
            return
        work = self.inbox[0]
        if work.datum < len(work.data):
            request = self.spare.pop()
            request.datum = work.data[work.datum]
            work.datum += 1
            self.scheduler.send(request, self.device, self.name)
        else:
            self.inbox.pop(0)
            self.scheduler.send(work, work.owner, self.name)


class _DeviceTask(_Task):
    # Consumes a request, then holds itself until the idle task releases it.
    def __init__(self, scheduler, name, priority):
        super().__init__(scheduler, name, priority)
        self.total = 0

    def step(self):
        self.runs += 1
        packet = self.inbox.pop(0)
        self.total += packet.datum
        self.held = True
        self.scheduler.send(packet, packet.owner, self.name)


class _Scheduler:
    def __init__(self):
        self.tasks = {}

    def add(self, task):
        self.tasks[task.name] = task
        return task

    def send(self, packet, destination, sender):
        packet.owner = sender
        self.tasks[destination].receive(packet)

    def release(self, name):
        self.tasks[name].held = False

    def run(self, steps):
        order = sorted(self.tasks.values(), key=lambda t: -t.priority)
        for _ in range(steps):
            for task in order:
                if task.ready():
                    task.step()
                    break
        return tuple(t.runs for t in order) + tuple(t.total for t in order if isinstance(t, _DeviceTask))


def _richards(steps):
    s = _Scheduler()
    s.add(_IdleTask(s, "idle", 0))
    worker = s.add(_WorkerTask(s, "worker", 1000))
    s.add(_HandlerTask(s, "handler-a", 2000, "device-a"))
    s.add(_HandlerTask(s, "handler-b", 3000, "device-b"))
    s.add(_DeviceTask(s, "device-a", 4000))
    s.add(_DeviceTask(s, "device-b", 5000))
    for _ in range(2):
        packet = _Packet("work")
        packet.owner = "worker"
        worker.receive(packet)
    return s.run(steps)


def bench_richards(loops, ctx):
    result = None
    for _ in repeat(None, loops):
        result = _richards(600)
    return result


# --- classes: instantiation, inheritance, properties, __slots__ (a domain model) -------------

class _Shape:
    def __init__(self, label):
        self.label = label

    def area(self):
        raise NotImplementedError


class _Rect(_Shape):
    def __init__(self, width, height):
        super().__init__("rect")
        self.width = width
        self.height = height

    def area(self):
        return self.width * self.height

    @property
    def perimeter(self):
        return 2 * (self.width + self.height)


class _Square(_Rect):
    def __init__(self, side):
        super().__init__(side, side)
        self.label = "square"


class _Circle(_Shape):
    def __init__(self, radius):
        super().__init__("circle")
        self.radius = radius

    def area(self):
        return 3 * self.radius * self.radius  # integer arithmetic keeps the checksum exact

    @property
    def perimeter(self):
        return 6 * self.radius


class _Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return _Vec(self.x + other.x, self.y + other.y)


def bench_classes(loops, ctx):
    result = None
    for _ in repeat(None, loops):
        shapes = []
        for i in range(150):
            shapes.append(_Rect(i % 7 + 1, i % 5 + 1))
            shapes.append(_Square(i % 9 + 1))
            shapes.append(_Circle(i % 4 + 1))
        area = perimeter = 0
        labels = {}
        for shape in shapes:
            area += shape.area()
            perimeter += shape.perimeter
            labels[shape.label] = labels.get(shape.label, 0) + 1
            if isinstance(shape, _Rect):
                shape.width += 1
        position = _Vec(0, 0)
        for i in range(300):
            position = position + _Vec(i % 3, i % 5 - 1)
        result = (area, perimeter, sorted(labels.items()), position.x, position.y)
    return result


# --- closures: decorators, nonlocal state, function factories (framework-style code) ----------

def _counted(fn):
    calls = 0

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        return fn(*args, **kwargs)

    wrapper.call_count = lambda: calls
    return wrapper


def _memoized(fn):
    cache = {}

    @functools.wraps(fn)
    def wrapper(n):
        if n not in cache:
            cache[n] = fn(n)
        return cache[n]

    return wrapper


def _make_scaler(factor, offset):
    def scale(x):
        return x * factor + offset

    return scale


def _compose(*functions):
    def composed(x):
        for f in functions:
            x = f(x)
        return x

    return composed


def bench_closures(loops, ctx):
    result = None
    for _ in repeat(None, loops):
        @_counted
        def add(a, b=1):
            return a + b

        @_memoized
        def steps(n):
            return 0 if n < 2 else 1 + steps(n // 2 if n % 2 == 0 else 3 * n + 1)

        scalers = [_make_scaler(k % 5 + 1, k) for k in range(60)]
        pipeline = _compose(*scalers[:6])
        total = 0
        for i in range(400):
            total = add(total, b=i % 7)
            total += scalers[i % 60](i) % 11
            total += pipeline(i % 13) % 17
        total += sum(steps(n) for n in range(1, 300))
        result = (total, add.call_count(), add.__name__)
    return result


# --- exceptions: input validation with an exception hierarchy (parsers, web request handlers) ---

class _FieldError(Exception):
    pass


class _RangeError(_FieldError):
    pass


class _Suppress:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        return kind is not None and issubclass(kind, KeyError)


def _parse_field(token):
    try:
        value = int(token)
    except ValueError as err:
        raise _FieldError(token) from err
    if not 0 <= value < 500:
        raise _RangeError(token)
    return value


def _parse_record(tokens):
    return [_parse_field(t) for t in tokens]


def setup_exceptions():
    tokens = []
    for i in range(300):
        tokens.append(("x%d" % i) if i % 7 == 0 else str(i * 3 if i % 11 else -i))
    return [tokens[i:i + 3] for i in range(0, len(tokens), 3)]


def bench_exceptions(loops, records):
    result = None
    for _ in repeat(None, loops):
        good = bad = out_of_range = cleaned = 0
        lookup = {}
        for record in records:
            try:
                values = _parse_record(record)
            except _RangeError:
                out_of_range += 1
            except _FieldError as err:
                bad += 1 if isinstance(err.__cause__, ValueError) else 100
            else:
                good += sum(values)
            finally:
                cleaned += 1
            key = record[0][:1]
            with _Suppress():
                lookup[key] += 1  # a miss raises KeyError, swallowed by the context manager
            lookup.setdefault(key, 0)
        result = (good, bad, out_of_range, cleaned, sorted(lookup.items()))
    return result


# --- generators: lazy pipelines, `yield from` tree walks, coroutines (stream processing) -------

def _numbers(n):
    for i in range(n):
        yield i


def _keep_not_divisible(items, divisor):
    for x in items:
        if x % divisor:
            yield x


def _squares(items):
    for x in items:
        yield x * x


def _pairwise_sums(items):
    previous = next(items, None)
    for x in items:
        yield previous + x
        previous = x


def _walk(tree):
    # In-order walk of a binary tree of (left, value, right) tuples.
    if tree is not None:
        left, value, right = tree
        yield from _walk(left)
        yield value
        yield from _walk(right)


def _running_mean():
    total = count = 0
    mean = None
    while True:
        value = yield mean
        total += value
        count += 1
        mean = total // count


def _build_tree(low, high):
    if low >= high:
        return None
    mid = (low + high) // 2
    return (_build_tree(low, mid), mid, _build_tree(mid + 1, high))


def setup_generators():
    return _build_tree(0, 255)


def bench_generators(loops, tree):
    result = None
    for _ in repeat(None, loops):
        piped = sum(_pairwise_sums(_squares(_keep_not_divisible(_numbers(600), 3))))
        walked = 0
        for value in _walk(tree):
            walked = (walked * 31 + value) % 1000003
        averager = _running_mean()
        next(averager)
        mean = 0
        for value in range(300):
            mean = averager.send(value * 7 % 101)
        result = (piped, walked, mean)
    return result


# --- recursion: build, evaluate and print an expression tree (interpreters, compilers) ---------

def _expression(depth, seed):
    if depth == 0:
        return seed % 9 + 1
    op = "+-*"[seed % 3]
    return (op, _expression(depth - 1, (seed * 7 + 3) % 1009), _expression(depth - 1, (seed * 13 + 5) % 1009))


def _evaluate(node):
    if type(node) is int:
        return node
    op, left, right = node
    a = _evaluate(left)
    b = _evaluate(right)
    if op == "+":
        return (a + b) % 10007
    if op == "-":
        return (a - b) % 10007
    return (a * b) % 10007


def _render(node):
    if type(node) is int:
        return str(node)
    op, left, right = node
    return "(" + _render(left) + " " + op + " " + _render(right) + ")"


def bench_recursion(loops, ctx):
    result = None
    for _ in repeat(None, loops):
        tree = _expression(9, 1)
        result = (_evaluate(tree), len(_render(tree)))
    return result


# --- binary-trees: allocate and walk many short-lived trees (GC and allocator pressure) --------

def _make_tree(depth):
    if depth == 0:
        return (None, None)
    depth -= 1
    return (_make_tree(depth), _make_tree(depth))


def _count_nodes(tree):
    left, right = tree
    if left is None:
        return 1
    return 1 + _count_nodes(left) + _count_nodes(right)


def bench_binary_trees(loops, ctx):
    result = None
    for _ in repeat(None, loops):
        long_lived = _make_tree(8)
        total = 0
        for depth in range(2, 9, 2):
            for _ in range(2 ** (8 - depth)):
                total += _count_nodes(_make_tree(depth))
        result = (total, _count_nodes(long_lived))
    return result

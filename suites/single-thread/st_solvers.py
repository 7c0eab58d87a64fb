"""Single-thread kernels: object- and attribute-heavy solvers and float-object numerics.

These are the kinds of code where the free-threaded build loses most on one
thread: many small objects whose attributes are read and written all the
time, polymorphic method calls, and floats that live as boxed objects in
attributes instead of in a C array. Written for gilbench (in the spirit of the
classic constraint-solver, board-game and ray-tracer benchmarks, not copied
from any of them).
"""

import math

from st_common import pseudo_random


# --- constraints: a one-way constraint network kept up to date incrementally -----------------
# Variables hold values; each constraint computes its output from its inputs. Setting an input
# re-plans the affected part of the network (a walk over constraint objects, strengths compared
# on every edge) and re-runs the plan. Attribute reads and writes on many small objects dominate.

REQUIRED, STRONG, MEDIUM, WEAK = 0, 1, 2, 3


class _Variable:
    __slots__ = ("name", "value", "constraints", "determined_by", "walk_strength", "stamp")

    def __init__(self, name, value):
        self.name = name
        self.value = value
        self.constraints = []
        self.determined_by = None
        self.walk_strength = WEAK
        self.stamp = 0


class _Constraint:
    def __init__(self, strength, output, inputs):
        self.strength = strength
        self.output = output
        self.inputs = inputs
        output.constraints.append(self)
        for v in inputs:
            v.constraints.append(self)

    def satisfiable(self):
        # A constraint may determine its output if it is at least as strong as what holds it now.
        return self.strength <= self.output.walk_strength or self.output.determined_by is self

    def execute(self):
        raise NotImplementedError


class _Scale(_Constraint):
    def __init__(self, strength, output, source, scale, offset):
        super().__init__(strength, output, [source, scale, offset])

    def execute(self):
        source, scale, offset = self.inputs
        self.output.value = source.value * scale.value + offset.value


class _Equal(_Constraint):
    def __init__(self, strength, output, source):
        super().__init__(strength, output, [source])

    def execute(self):
        self.output.value = self.inputs[0].value


class _Sum(_Constraint):
    def __init__(self, strength, output, a, b):
        super().__init__(strength, output, [a, b])

    def execute(self):
        self.output.value = self.inputs[0].value + self.inputs[1].value


class _Network:
    def __init__(self, length):
        self.stamp = 0
        self.scale = _Variable("scale", 10)
        self.offset = _Variable("offset", 1000)
        self.chain = [_Variable("v%d" % i, 0) for i in range(length)]
        self.mirror = [_Variable("m%d" % i, 0) for i in range(length)]
        self.sums = [_Variable("s%d" % i, 0) for i in range(length)]
        self.constraints = []
        for i in range(1, length):
            strength = STRONG if i % 3 else MEDIUM
            self.constraints.append(_Equal(strength, self.chain[i], self.chain[i - 1]))
        for i in range(length):
            self.constraints.append(_Scale(MEDIUM, self.mirror[i], self.chain[i], self.scale, self.offset))
            self.constraints.append(_Sum(WEAK, self.sums[i], self.chain[i], self.mirror[i]))

    def plan_from(self, variable):
        """Constraints downstream of `variable` that may run, each after the inputs it waits for."""
        self.stamp += 1
        stamp = self.stamp
        done = -stamp
        # First mark what the change reaches (stamp), then order it: a constraint runs once none
        # of its inputs is still waiting (an input is waiting while its stamp is `stamp`).
        affected = [variable]
        variable.stamp = stamp
        todo = [variable]
        while todo:
            v = todo.pop()
            for c in v.constraints:
                out = c.output
                if out is not v and out.stamp != stamp and c.satisfiable():
                    out.stamp = stamp
                    affected.append(out)
                    todo.append(out)
        variable.stamp = done
        waiting = [c for v in affected for c in v.constraints if c.output is not v and c.output.stamp == stamp]
        plan = []
        while waiting:
            later = []
            for c in waiting:
                out = c.output
                if out.stamp == done or not c.satisfiable():
                    continue
                if all(i.stamp != stamp for i in c.inputs):
                    out.determined_by = c
                    out.walk_strength = c.strength
                    out.stamp = done
                    plan.append(c)
                else:
                    later.append(c)
            if len(later) == len(waiting):
                break  # the rest waits on something outside the reach of this change
            waiting = later
        return plan

    def set(self, variable, value):
        variable.value = value
        for c in self.plan_from(variable):
            c.execute()


def bench_constraints(loops, ctx):
    total = 0
    for _ in range(loops):
        net = _Network(24)
        for step in range(6):
            net.set(net.chain[0], step * 7)
            net.set(net.scale, 2 + step % 5)
            net.set(net.chain[0], step * 7)
            total += net.sums[-1].value + net.mirror[len(net.mirror) // 2].value
    return total


# --- board_playout: random playouts on a small go-like board ---------------------------------
# Stones are placed on a 9x9 board; groups of one colour are merged with a union-find over
# point objects and a group with no liberties is captured. Playouts pick moves from a
# deterministic sequence. Point objects, neighbour lists and attribute updates everywhere.

EMPTY, BLACK, WHITE = 0, 1, 2


class _Point:
    __slots__ = ("index", "colour", "neighbours", "parent", "stones", "liberties")

    def __init__(self, index):
        self.index = index
        self.colour = EMPTY
        self.neighbours = []
        self.parent = self
        self.stones = 1
        self.liberties = 0

    def root(self):
        point = self
        while point.parent is not point:
            point.parent = point.parent.parent
            point = point.parent
        return point


class _Board:
    def __init__(self, size):
        self.size = size
        self.points = [_Point(i) for i in range(size * size)]
        for p in self.points:
            row, col = divmod(p.index, size)
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                r, c = row + dr, col + dc
                if 0 <= r < size and 0 <= c < size:
                    p.neighbours.append(self.points[r * size + c])
        self.captured = [0, 0, 0]

    def liberties_of(self, root):
        # Counted afresh: the points of the group are those whose root is `root`.
        seen = set()
        for p in self.points:
            if p.colour != EMPTY and p.root() is root:
                for n in p.neighbours:
                    if n.colour == EMPTY:
                        seen.add(n.index)
        return len(seen)

    def remove_group(self, root):
        removed = 0
        for p in self.points:
            if p.colour != EMPTY and p.root() is root:
                removed += 1
        for p in self.points:
            if p.colour != EMPTY and p.parent is not p and p.root() is root:
                p.colour = EMPTY
                p.parent = p
                p.stones = 1
        root.colour = EMPTY
        root.parent = root
        root.stones = 1
        return removed

    def play(self, index, colour):
        point = self.points[index]
        if point.colour != EMPTY:
            return False
        point.colour = colour
        point.parent = point
        point.stones = 1
        for n in point.neighbours:
            if n.colour == colour:
                a, b = n.root(), point.root()
                if a is not b:
                    if a.stones < b.stones:
                        a, b = b, a
                    b.parent = a
                    a.stones += b.stones
        other = WHITE if colour == BLACK else BLACK
        for n in point.neighbours:
            if n.colour == other:
                root = n.root()
                if self.liberties_of(root) == 0:
                    self.captured[colour] += self.remove_group(root)
        root = point.root()
        if self.liberties_of(root) == 0:  # suicide: take the move back
            self.captured[other] += self.remove_group(root)
        return True


def setup_board_playout():
    return {"moves": pseudo_random(20240601, 400, 81)}


def bench_board_playout(loops, ctx):
    moves = ctx["moves"]
    total = 0
    for _ in range(loops):
        board = _Board(9)
        colour = BLACK
        played = 0
        for index in moves[:140]:
            if board.play(index, colour):
                played += 1
                colour = WHITE if colour == BLACK else BLACK
        stones = sum(1 for p in board.points if p.colour != EMPTY)
        total += played * 1000 + stones * 10 + board.captured[BLACK] - board.captured[WHITE]
    return total


# --- ray_trace: a small ray tracer (vector objects, method calls, float objects) ---------------
# A 24x16 image of three spheres and a plane lit by one light, with shadows and one reflection:
# every pixel creates vector objects and calls their methods, so the floats live in attributes.


class _Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def __add__(self, other):
        return _Vec(self.x + other.x, self.y + other.y, self.z + other.z)

    def __sub__(self, other):
        return _Vec(self.x - other.x, self.y - other.y, self.z - other.z)

    def scale(self, k):
        return _Vec(self.x * k, self.y * k, self.z * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y + self.z * other.z

    def length(self):
        return math.sqrt(self.dot(self))

    def normalized(self):
        return self.scale(1.0 / self.length())


class _Ray:
    __slots__ = ("origin", "direction")

    def __init__(self, origin, direction):
        self.origin = origin
        self.direction = direction

    def at(self, t):
        return self.origin + self.direction.scale(t)


class _Sphere:
    def __init__(self, centre, radius, colour, reflect):
        self.centre = centre
        self.radius = radius
        self.colour = colour
        self.reflect = reflect

    def hit(self, ray):
        oc = ray.origin - self.centre
        b = oc.dot(ray.direction)
        c = oc.dot(oc) - self.radius * self.radius
        disc = b * b - c
        if disc < 0:
            return None
        t = -b - math.sqrt(disc)
        return t if t > 1e-6 else None

    def normal_at(self, point):
        return (point - self.centre).normalized()


class _Plane:
    def __init__(self, height, colour):
        self.height = height
        self.colour = colour
        self.reflect = 0.0
        self.up = _Vec(0.0, 1.0, 0.0)

    def hit(self, ray):
        dy = ray.direction.y
        if abs(dy) < 1e-9:
            return None
        t = (self.height - ray.origin.y) / dy
        return t if t > 1e-6 else None

    def normal_at(self, point):
        return self.up


class _Scene:
    def __init__(self):
        self.objects = [
            _Sphere(_Vec(0.0, 1.0, 5.0), 1.0, _Vec(0.9, 0.2, 0.2), 0.3),
            _Sphere(_Vec(-2.0, 0.7, 6.0), 0.7, _Vec(0.2, 0.9, 0.2), 0.0),
            _Sphere(_Vec(2.0, 0.5, 4.5), 0.5, _Vec(0.2, 0.2, 0.9), 0.5),
            _Plane(0.0, _Vec(0.8, 0.8, 0.8)),
        ]
        self.light = _Vec(-5.0, 8.0, -2.0)
        self.eye = _Vec(0.0, 1.2, -1.0)

    def nearest(self, ray):
        best_t, best = None, None
        for obj in self.objects:
            t = obj.hit(ray)
            if t is not None and (best_t is None or t < best_t):
                best_t, best = t, obj
        return best_t, best

    def trace(self, ray, depth):
        t, obj = self.nearest(ray)
        if obj is None:
            return _Vec(0.1, 0.1, 0.15)
        point = ray.at(t)
        normal = obj.normal_at(point)
        to_light = (self.light - point).normalized()
        shadow_t, _ = self.nearest(_Ray(point, to_light))
        diffuse = 0.0 if shadow_t is not None else max(0.0, normal.dot(to_light))
        colour = obj.colour.scale(0.15 + 0.85 * diffuse)
        if obj.reflect > 0 and depth < 2:
            d = ray.direction
            bounce = d - normal.scale(2.0 * d.dot(normal))
            colour = colour.scale(1.0 - obj.reflect) + self.trace(_Ray(point, bounce), depth + 1).scale(obj.reflect)
        return colour

    def render(self, width, height):
        total = 0.0
        for row in range(height):
            for col in range(width):
                x = (col - width / 2.0) / width * 1.6
                y = (height / 2.0 - row) / height * 1.1
                ray = _Ray(self.eye, _Vec(x, y, 1.0).normalized())
                c = self.trace(ray, 0)
                total += c.x + c.y * 2.0 + c.z * 3.0
        return total


def bench_ray_trace(loops, ctx):
    total = 0.0
    for _ in range(loops):
        total += _Scene().render(16, 10)
    return "%.6f" % total


# --- particles: float-object numerics (a spring-and-damper system of particle objects) --------
# Each particle keeps position and velocity as float attributes; every step reads neighbours'
# attributes, computes forces and writes new floats back, as object-oriented simulations do.


class _Particle:
    __slots__ = ("x", "y", "vx", "vy", "mass")

    def __init__(self, x, y, mass):
        self.x = x
        self.y = y
        self.vx = 0.0
        self.vy = 0.0
        self.mass = mass


class _Spring:
    __slots__ = ("a", "b", "rest", "stiffness")

    def __init__(self, a, b, rest, stiffness):
        self.a = a
        self.b = b
        self.rest = rest
        self.stiffness = stiffness

    def apply(self, dt):
        a, b = self.a, self.b
        dx = b.x - a.x
        dy = b.y - a.y
        dist = math.sqrt(dx * dx + dy * dy) or 1e-9
        force = self.stiffness * (dist - self.rest)
        fx = force * dx / dist
        fy = force * dy / dist
        a.vx += fx / a.mass * dt
        a.vy += fy / a.mass * dt
        b.vx -= fx / b.mass * dt
        b.vy -= fy / b.mass * dt


def _mesh(n):
    points = [[_Particle(float(c), float(r), 1.0 + (r * n + c) % 3 * 0.5) for c in range(n)] for r in range(n)]
    springs = []
    for r in range(n):
        for c in range(n):
            if c + 1 < n:
                springs.append(_Spring(points[r][c], points[r][c + 1], 1.0, 40.0))
            if r + 1 < n:
                springs.append(_Spring(points[r][c], points[r + 1][c], 1.0, 40.0))
    flat = [p for row in points for p in row]
    flat[0].x -= 0.3  # a nudge sets the mesh ringing
    flat[-1].y += 0.4
    return flat, springs


def bench_particles(loops, ctx):
    total = 0.0
    for _ in range(loops):
        particles, springs = _mesh(8)
        dt = 0.01
        for _step in range(40):
            for spring in springs:
                spring.apply(dt)
            for p in particles:
                p.vx *= 0.995
                p.vy = p.vy * 0.995 - 0.05 * dt
                p.x += p.vx * dt
                p.y += p.vy * dt
        total += sum(p.x + 2.0 * p.y for p in particles)
    return "%.6f" % total

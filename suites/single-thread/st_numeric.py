"""Single-thread kernels: numeric code and list permutations (float and int arithmetic on lists)."""

from math import cos, sin, sqrt
from itertools import repeat


# --- nbody: a physics simulation (float-heavy inner loop over object pairs) -------------------

def _make_system():
    # A heavy star and four planets on made-up, nearly circular orbits (G*M_star = 4*pi^2).
    gm_star = 39.47841760435743
    bodies = [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, gm_star]]
    for k, (radius, mass) in enumerate(((1.3, 1.2e-5), (4.9, 9.1e-4), (9.7, 3.3e-4), (17.5, 5.0e-5))):
        angle = 1.1 * k + 0.3
        speed = sqrt(gm_star / radius)
        bodies.append(
            [radius * cos(angle), radius * sin(angle), 0.01 * k,
             -speed * sin(angle), speed * cos(angle), 0.002 * k, mass * gm_star]
        )
    # Give the star the opposite momentum so the system's centre of mass stays put.
    px = sum(b[3] * b[6] for b in bodies)
    py = sum(b[4] * b[6] for b in bodies)
    pz = sum(b[5] * b[6] for b in bodies)
    bodies[0][3:6] = [-px / gm_star, -py / gm_star, -pz / gm_star]
    return bodies


def _advance(bodies, steps, dt):
    pairs = [(bodies[i], bodies[j]) for i in range(len(bodies)) for j in range(i + 1, len(bodies))]
    for _ in range(steps):
        for b1, b2 in pairs:
            dx = b1[0] - b2[0]
            dy = b1[1] - b2[1]
            dz = b1[2] - b2[2]
            dist2 = dx * dx + dy * dy + dz * dz
            mag = dt / (dist2 * sqrt(dist2))
            m1 = b1[6] * mag
            m2 = b2[6] * mag
            b1[3] -= dx * m2
            b1[4] -= dy * m2
            b1[5] -= dz * m2
            b2[3] += dx * m1
            b2[4] += dy * m1
            b2[5] += dz * m1
        for b in bodies:
            b[0] += dt * b[3]
            b[1] += dt * b[4]
            b[2] += dt * b[5]


def _energy(bodies):
    e = 0.0
    for i, b1 in enumerate(bodies):
        e += 0.5 * b1[6] * (b1[3] * b1[3] + b1[4] * b1[4] + b1[5] * b1[5])
        for b2 in bodies[i + 1:]:
            dx, dy, dz = b1[0] - b2[0], b1[1] - b2[1], b1[2] - b2[2]
            e -= b1[6] * b2[6] / sqrt(dx * dx + dy * dy + dz * dz)
    return e


def setup_nbody():
    return _make_system()


def bench_nbody(loops, initial):
    energy = 0.0
    for _ in repeat(None, loops):
        bodies = [list(b) for b in initial]
        _advance(bodies, 150, 0.001)
        energy = _energy(bodies)
    return "%.12e" % energy


# --- spectral-norm: dense linear algebra written in plain Python (generator expressions, floats) ---

def _matrix_entry(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def _times(v):
    n = len(v)
    return [sum(_matrix_entry(i, j) * v[j] for j in range(n)) for i in range(n)]


def _times_transposed(v):
    n = len(v)
    return [sum(_matrix_entry(j, i) * v[j] for j in range(n)) for i in range(n)]


def bench_spectral_norm(loops, ctx):
    norm = 0.0
    for _ in repeat(None, loops):
        u = [1.0] * 24
        for _ in range(3):
            v = _times_transposed(_times(u))
            u = _times_transposed(_times(v))
        norm = sqrt(sum(a * b for a, b in zip(u, v)) / sum(b * b for b in v))
    return "%.12e" % norm


# --- fannkuch: permutations and in-place list reversal (combinatorial search) -----------------

def _fannkuch(n):
    # Visits all n! permutations (Heap's algorithm) and counts the "pancake flips"
    # needed until 0 comes first; returns the maximum and the total.
    perm = list(range(n))
    counters = [0] * n
    max_flips = total = 0
    i = 0
    while True:
        if perm[0]:
            p = perm[:]
            flips = 0
            first = p[0]
            while first:
                p[: first + 1] = p[first::-1]
                flips += 1
                first = p[0]
            total += flips
            if flips > max_flips:
                max_flips = flips
        # Next permutation.
        i = 1
        while i < n and counters[i] >= i:
            counters[i] = 0
            i += 1
        if i >= n:
            return max_flips, total
        j = counters[i] if i % 2 else 0
        perm[i], perm[j] = perm[j], perm[i]
        counters[i] += 1


def bench_fannkuch(loops, ctx):
    result = None
    for _ in repeat(None, loops):
        result = _fannkuch(6)
    return result

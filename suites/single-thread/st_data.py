"""Single-thread kernels: data structures (comprehensions, dicts and sets, sorting, pickle, deepcopy)."""

import copy
import pickle
from itertools import repeat
from operator import attrgetter, itemgetter

from st_common import make_words, pseudo_random


# --- comprehensions: list, dict and set comprehensions, generator expressions (data munging) ---

def bench_comprehensions(loops, ctx):
    result = None
    for _ in repeat(None, loops):
        matrix = [[(i * j + i) % 17 for j in range(30)] for i in range(30)]
        transposed = [[row[i] for row in matrix] for i in range(30)]
        flat = [x for row in transposed for x in row if x % 2]
        squares = {i: i * i for i in range(300)}
        residues = {x % 11 for x in flat}
        labels = ["n%d" % i for i in range(200) if i % 3]
        index = {label: position for position, label in enumerate(labels)}
        total = sum(squares[x] for x in flat if x in squares)
        result = (len(flat), total, sorted(residues), index["n199"], sum(map(sum, transposed)))
    return result


# --- dict-set: word counting, grouping, de-duplication, set algebra (text analytics) ----------

def setup_dict_set():
    return make_words(1500, seed=23)


def bench_dict_set(loops, words):
    result = None
    for _ in repeat(None, loops):
        counts = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        groups = {}
        for w in words:
            groups.setdefault(w[:2], []).append(w)
        seen = set()
        repeats = 0
        for w in words:
            if w in seen:
                repeats += 1
            else:
                seen.add(w)
        evens, odds = set(words[::2]), set(words[1::2])
        common = evens & odds
        either = evens | odds
        only_even = evens - odds
        # Iteration order of a set of str depends on the hash seed: only order-free results here.
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        result = (len(counts), repeats, len(common), len(either), len(only_even), top,
                  sorted((k, len(v)) for k, v in groups.items())[:5])
    return result


# --- sort-key: sorting records with key functions (reports, leaderboards) ---------------------

class _Person:
    def __init__(self, name, age, score):
        self.name = name
        self.age = age
        self.score = score


def setup_sort_key():
    names = make_words(400, seed=29)
    ages = pseudo_random(31, 400, 90)
    scores = pseudo_random(37, 400, 100000)
    records = [(names[i].capitalize(), ages[i], scores[i], names[(i * 7) % 400][:3]) for i in range(400)]
    people = [_Person(n, a, s) for n, a, s, _ in records]
    return records, people


def bench_sort_key(loops, ctx):
    records, people = ctx
    result = None
    for _ in repeat(None, loops):
        by_score = sorted(records, key=lambda r: r[2])
        by_city_age = sorted(records, key=itemgetter(3, 1))
        oldest = sorted(people, key=attrgetter("age"), reverse=True)
        by_name = sorted((r[0] for r in records), key=str.lower)
        ranking = sorted(records, key=lambda r: (-r[1], r[0]))
        scores = [r[2] for r in records]
        scores.sort(reverse=True)
        result = (by_score[0], by_city_age[0], oldest[0].name, by_name[:3], ranking[0], scores[:3])
    return result


# --- pickle: save and load an object graph (caches, multiprocessing, persistence) -------------

class Record:
    """A module-level class, so pickle can find it again (the suite module itself is not importable)."""

    def __init__(self, ident, name, tags, position, parent=None):
        self.ident = ident
        self.name = name
        self.tags = tags
        self.position = position
        self.parent = parent

    def __eq__(self, other):
        return isinstance(other, Record) and self.__dict__ == other.__dict__

    __hash__ = None


def _make_records(count, seed):
    names = make_words(count, seed=seed)
    values = pseudo_random(seed + 1, count * 2, 1000)
    records = []
    for i in range(count):
        parent = records[i // 2] if i else None  # shared references: the memo is exercised
        records.append(Record(i, names[i], [names[(i + 1) % count][:3], i % 5], (values[2 * i] / 4, values[2 * i + 1]), parent))
    return records


def setup_pickle():
    records = _make_records(200, seed=41)
    return {"records": records, "index": {r.ident: r.name for r in records}, "version": (1, 2, 3)}


def bench_pickle(loops, payload):
    result = None
    for _ in repeat(None, loops):
        blob = pickle.dumps(payload, protocol=4)
        back = pickle.loads(blob)
        records = back["records"]
        result = (len(records), sum(r.position[1] for r in records), records[-1].parent.ident,
                  records[-1].parent is records[(len(records) - 1) // 2], back == payload)
    return result


# --- deepcopy: copying nested configuration and object graphs (copy module, pure Python) -------

def setup_deepcopy():
    records = _make_records(40, seed=43)
    return {
        "servers": [{"host": "node%d" % i, "ports": [8000 + i, 9000 + i], "tags": {"zone": i % 3}} for i in range(30)],
        "limits": {"cpu": (1, 2, 4), "memory": [512, 1024], "ratio": 0.75},
        "records": records,
    }


def bench_deepcopy(loops, config):
    result = None
    for _ in repeat(None, loops):
        clone = copy.deepcopy(config)
        clone["servers"][0]["ports"].append(1)
        result = (len(clone["servers"]), clone["records"][-1].parent is clone["records"][19],
                  clone["records"][5] == config["records"][5], len(config["servers"][0]["ports"]))
    return result


# --- object-cache: lookups in a large in-memory cache of objects (a service's identity map) ---
# The one kernel with a large live heap (60,000 entries, ~20 MB), so the worker's peak RSS
# shows the per-object memory cost of a build, not only the interpreter's own footprint.

class _CacheEntry:
    def __init__(self, key, value, owner, tags):
        self.key = key
        self.value = value
        self.owner = owner
        self.tags = tags
        self.seen = 0


def setup_object_cache():
    owners = make_words(500, seed=47)
    entries = {}
    for i in range(60000):
        key = "user:%d" % i
        entries[key] = _CacheEntry(key, i * 3, owners[i % 500], ("t%d" % (i % 7), i % 11))
    probes = ["user:%d" % j for j in pseudo_random(53, 1000, 60000)]
    return entries, probes


def bench_object_cache(loops, ctx):
    entries, probes = ctx
    result = None
    for stamp in range(loops):
        total = tagged = 0
        owners = {}
        for key in probes:
            entry = entries[key]
            entry.seen = stamp  # a write that does not change what later iterations compute
            total += entry.value
            if entry.tags[1] == 0:
                tagged += 1
            owners[entry.owner] = owners.get(entry.owner, 0) + 1
        result = (total, tagged, len(owners), len(entries))
    return result

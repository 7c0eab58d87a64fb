"""Single-thread kernels: text (string building and formatting, regular expressions, JSON)."""

import json
import re
from itertools import repeat

from st_common import make_words, pseudo_random, text_digest


# --- string-build: a text report from records (f-strings, %-format, str.format, join, split) ---

def setup_string_build():
    names = make_words(120, seed=7)
    quantities = pseudo_random(11, 120, 1000)
    cents = pseudo_random(13, 120, 100000)
    return [(name, qty, price / 100) for name, qty, price in zip(names, quantities, cents)]


def bench_string_build(loops, rows):
    result = None
    for _ in repeat(None, loops):
        lines = ["%-14s %6s %10s %14s" % ("item", "qty", "price", "total")]
        for name, qty, price in rows:
            lines.append(f"{name:<14} {qty:>6d} {price:>10.2f} {qty * price:>14,.2f}")
            lines.append("{0}:{1:05d}:{2!r}".format(name.upper(), qty, name[:4]))
        text = "\n".join(lines).replace("  ", " .")
        words = text.split()
        slug = ""
        for word in words[:150]:
            slug += word.strip(".:").lower()[:3] + "-"
        title = " ".join(w.capitalize() for w in words[:40])
        result = text_digest(text) + text_digest(slug) + text_digest(title)
    return result


# --- regex: parsing log lines (match with groups, findall, sub with a callback, split) ---------

_LOG_LINE = re.compile(
    r"(?P<date>\d{4}-\d\d-\d\d) (?P<time>\d\d:\d\d:\d\d) (?P<level>[A-Z]+) "
    r"user=(?P<user>\w+) ip=(?P<ip>[\d.]+) took=(?P<took>\d+)ms path=(?P<path>\S+)"
)
_NUMBER = re.compile(r"\d+")
_IP = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b")
_SEPARATORS = re.compile(r"[/=\s]+")


def setup_regex():
    users = make_words(60, seed=3)
    r = pseudo_random(5, 60 * 6, 250)
    levels = ("INFO", "INFO", "WARN", "ERROR", "DEBUG")
    lines = []
    for i in range(60):
        a, b, c, d, took, item = r[i * 6:i * 6 + 6]
        lines.append(
            "2024-03-%02d 12:%02d:%02d %s user=%s ip=10.%d.%d.%d took=%dms path=/api/v1/items/%d"
            % (i % 28 + 1, i % 60, (i * 7) % 60, levels[i % 5], users[i], a, b, c, took * 3, item)
        )
    return lines


def _mask_ip(match):
    return "%s.%s.x.x" % (match.group(1), match.group(2))


def bench_regex(loops, lines):
    result = None
    for _ in repeat(None, loops):
        slow = errors = numbers = parts = 0
        masked_len = 0
        for line in lines:
            m = _LOG_LINE.match(line)
            if m is None:
                continue
            if int(m.group("took")) > 300:
                slow += 1
            if m["level"] == "ERROR":
                errors += 1
            numbers += sum(int(n) for n in _NUMBER.findall(line))
            masked_len += len(_IP.sub(_mask_ip, line))
            parts += len(_SEPARATORS.split(m.group("path")))
        result = (slow, errors, numbers, masked_len, parts)
    return result


# --- json: serialize and parse an API payload (C encoder, pretty-printing encoder, decoder) ----

def setup_json():
    names = make_words(80, seed=17)
    values = pseudo_random(19, 80, 10000)
    return {
        "version": 3,
        "items": [
            {
                "id": i,
                "name": names[i],
                "price": values[i] / 8,
                "tags": [names[(i * 3) % 80][:4], names[(i * 5) % 80][:4]],
                "active": i % 3 == 0,
                "parent": None if i % 4 else i // 4,
                "dims": {"w": i % 13, "h": i % 7, "unit": "cm"},
            }
            for i in range(80)
        ],
    }


def bench_json(loops, doc):
    result = None
    for _ in repeat(None, loops):
        compact = json.dumps(doc)
        parsed = json.loads(compact)
        pretty = json.dumps(parsed, indent=1, sort_keys=True)  # indent= takes the pure-Python encoder
        again = json.loads(pretty)
        result = (len(compact), len(pretty), again["items"][-1]["price"], parsed == doc)
    return result

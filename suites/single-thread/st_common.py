"""Deterministic input data for the single-thread kernels.

The `random` module would do, but its algorithms are not promised to stay the
same between Python versions; a checksum must be equal on 3.9 and on 3.14, so
the inputs come from a fixed linear congruential generator instead.
"""

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "qu", "da", "fe", "gi", "hu", "ya")


def pseudo_random(seed, count, bound):
    """`count` ints in [0, bound), the same on every Python version and build."""
    out = []
    state = seed & 0x7FFFFFFF
    for _ in range(count):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((state >> 8) % bound)
    return out


def make_words(count, seed, vocabulary=400):
    """`count` words drawn from a vocabulary of made-up two- to four-syllable words."""
    vocab = []
    for i, n in enumerate(pseudo_random(seed + 1, vocabulary, 3)):
        parts = pseudo_random(seed * 31 + i, n + 2, len(SYLLABLES))
        vocab.append("".join(SYLLABLES[p] for p in parts))
    return [vocab[i] for i in pseudo_random(seed, count, vocabulary)]


def text_digest(text):
    """A cheap, hash-seed-independent fingerprint of a string (length, byte sum)."""
    data = text.encode("utf-8")
    return (len(data), sum(data))

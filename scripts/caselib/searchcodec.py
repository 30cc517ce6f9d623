"""Binary encoding of the search index: unsigned LEB128 varints, written with numpy, read in
plain Python (tests, benchmark, completeness checks) and in search.js (the same few lines).

Every value of the index is a non-negative integer below 2**35, so a varint has 1–5 bytes.
"""

from __future__ import annotations

import numpy as np

MAX_BYTES = 5


def encode(values) -> tuple[np.ndarray, np.ndarray]:
    """Varints of `values` back to back (uint8 array) and the byte count of each value."""
    v = np.asarray(values, dtype=np.int64)
    size = np.ones(len(v), dtype=np.int64)
    for k in range(1, MAX_BYTES):
        size += v >= (1 << (7 * k))
    start = np.cumsum(size) - size
    out = np.empty(int(size.sum()), dtype=np.uint8)
    for k in range(MAX_BYTES):
        more = size > k + 1
        if k == 0:
            out[start] = (v & 0x7F) | (more << 7)
            continue
        at = np.flatnonzero(size > k)
        if not len(at):
            break
        out[start[at] + k] = ((v[at] >> (7 * k)) & 0x7F) | (more[at] << 7)
    return out, size


def group_sizes(sizes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sum of `sizes` over consecutive groups of `counts` items (every count ≥ 1)."""
    starts = np.cumsum(counts) - counts
    return np.add.reduceat(sizes, starts) if len(starts) else np.zeros(0, dtype=np.int64)


def gather_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indexes start..start+length-1 of every range, ranges in the given order."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


def decode(buf: bytes, at: int, count: int) -> tuple[list[int], int]:
    """`count` varints from buf[at:]; returns them and the offset after the last."""
    out = []
    for _ in range(count):
        value = shift = 0
        while True:
            byte = buf[at]
            at += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        out.append(value)
    return out, at

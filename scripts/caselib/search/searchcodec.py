"""Binary encoding of the search index: unsigned LEB128 varints, written with numpy, read in
plain Python (tests, benchmark, completeness checks) and in search.js (the same few lines).

Every value of the index is a non-negative integer below 2**32, so a varint has 1–5 bytes.
"""

from __future__ import annotations

import numpy as np

MAX_BYTES = 5


CHUNK = 1 << 20  # values encoded at a time: the work arrays stay small, and are reused


def encode(values) -> tuple[np.ndarray, np.ndarray]:
    """Varints of `values` back to back (uint8 array) and the byte count of each value (uint8: sum
    them with a wider dtype, as `group_sizes` does)."""
    v = np.asarray(values)
    if len(v) and (v.min() < 0 or v.max() >= 1 << 32):
        raise ValueError("searchcodec: values must be in 0 … 2**32-1")
    if len(v) <= CHUNK:
        return _encode(v.astype(np.uint32, copy=False))
    # in chunks: an index of 10,000 cases encodes hundreds of millions of values, and arrays of
    # that length, made and dropped one after another, cost more in fresh memory than in work
    parts = [_encode(v[at : at + CHUNK].astype(np.uint32, copy=False)) for at in range(0, len(v), CHUNK)]
    return np.concatenate([out for out, _ in parts]), np.concatenate([size for _, size in parts])


def _encode(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    size = (v >= 1 << 7).astype(np.uint8)
    for k in range(2, MAX_BYTES):
        size += v >= 1 << (7 * k)
    size += 1
    start = size.astype(np.int64).cumsum() - size
    out = np.empty(int(start[-1] + size[-1]) if len(v) else 0, dtype=np.uint8)
    low = (v & 0x7F).astype(np.uint8)
    low[size > 1] |= 0x80
    out[start] = low
    at, k = np.flatnonzero(size > 1), 1
    while len(at):  # the few values of more than one byte
        byte = ((v[at] >> (7 * k)) & 0x7F).astype(np.uint8)
        more = size[at] > k + 1
        byte[more] |= 0x80
        out[start[at] + k] = byte
        at, k = at[more], k + 1
    return out, size


def group_sizes(sizes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sum of `sizes` over consecutive groups of `counts` items (every count ≥ 1)."""
    starts = np.cumsum(counts) - counts
    return np.add.reduceat(sizes, starts, dtype=np.int64) if len(starts) else np.zeros(0, dtype=np.int64)


def gather_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indexes start..start+length-1 of every range, ranges in the given order.

    One array of the result's length, summed in place: each range steps by 1 from its start."""
    keep = lengths > 0
    starts, lengths = np.asarray(starts, dtype=np.int64)[keep], np.asarray(lengths, dtype=np.int64)[keep]
    total = int(lengths.sum())
    out = np.ones(total, dtype=np.int64)
    if total:
        offsets = lengths.cumsum() - lengths
        out[0] = starts[0]
        out[offsets[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
        np.cumsum(out, out=out)
    return out


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

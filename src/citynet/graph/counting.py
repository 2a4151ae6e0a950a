"""Distinct triples and typed nodes across pages, without a set of every triple.

A mapped page gives the 64-bit XXH3 digests of its distinct triples (N-Triples lines)
and of the subjects typed with each counted class; a chunk of pages merges them and sends
them grouped into 64 buckets by their top bits. The build keeps the digests as arrays (8
bytes a triple instead of a Python set of strings: a 100,000-page build has 10 million
triples) and counts the distinct ones bucket by bucket at the end, in the workers. The
chance that a collision changes a count is below 1e-5 at 10 million triples.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator

from xxhash import xxh3_64_intdigest

from citynet.graph.vocab import CN, RDF

BUCKETS = 64
_OFFSETS = 4 * (BUCKETS + 1)  # array("I") of bucket offsets before the digests
_BUCKET_STARTS = [bucket << (64 - BUCKETS.bit_length() + 1) for bucket in range(BUCKETS)]

#: The classes whose distinct nodes the build summary counts, as N-Triples terms.
COUNTED_CLASSES = {
    f"<{iri}>": name
    for iri, name in (
        (CN.City, "cities"),
        (CN.Region, "regions"),
        (CN.Twinning, "twinnings"),
        (CN.Project, "projects"),
        (CN.Event, "events"),
        (CN.Participation, "participations"),
        (CN.Membership, "memberships"),
        (CN.Office, "offices"),
        (CN.Country, "countries"),
    )
}
TYPE = f"<{RDF.type}>"


def digests(items: Iterable[bytes]) -> set[int]:
    return set(map(xxh3_64_intdigest, items))


def typed_nodes(triples: list[tuple[str, str, str]]) -> dict[str, list[bytes]]:
    """The subjects typed with each counted class (N-Triples triples)."""
    typed: dict[str, list[bytes]] = {}
    for s, p, o in triples:
        if p == TYPE:
            name = COUNTED_CLASSES.get(o)
            if name:
                typed.setdefault(name, []).append(s[1:-1].encode())
    return typed


def hash_payload(values: set[int]) -> bytes:
    """Digests grouped by bucket (their top six bits) after the buckets' offsets: the
    main process files them with one call per bucket."""
    ordered = sorted(values)
    offsets = array("I", [8 * bisect_left(ordered, start) for start in _BUCKET_STARTS])
    offsets.append(8 * len(ordered))
    return offsets.tobytes() + array("Q", ordered).tobytes()


def distinct_share(kinds: list[list[bytes]]) -> list[int]:
    """One worker's share of the counting: the distinct 64-bit digests in each kind's
    buckets (no digest is in two buckets)."""
    return [sum(len(set(array("Q", payload))) for payload in buckets) for buckets in kinds]


class Counter:
    """Distinct triples and typed nodes across pages, from digests in buckets."""

    def __init__(self) -> None:
        self.triples = [array("Q") for _ in range(BUCKETS)]
        self.classes = {
            name: [array("Q") for _ in range(BUCKETS)] for name in COUNTED_CLASSES.values()
        }

    @staticmethod
    def _spread(payload: bytes, buckets: list[array]) -> None:
        offsets = array("I")
        offsets.frombytes(payload[:_OFFSETS])
        values = memoryview(payload)[_OFFSETS:]
        for bucket, start, end in zip(buckets, offsets[:-1], offsets[1:], strict=True):
            if end > start:
                bucket.frombytes(values[start:end])

    def add(self, triple_hashes: bytes, class_hashes: dict[str, bytes]) -> None:
        self._spread(triple_hashes, self.triples)
        for name, payload in class_hashes.items():
            self._spread(payload, self.classes[name])

    def counts(
        self, run: Callable[[Callable, list], Iterator[list[int]]], shares: int
    ) -> dict[str, int]:
        """The distinct counts: ``run`` maps :func:`distinct_share` over ``shares``
        tasks (in worker processes: a set of 16 million digests takes seconds), each
        with every ``shares``-th bucket of every kind."""
        kinds = [*self.classes.items(), ("triples", self.triples)]  # report.json's order
        tasks = [
            [[b.tobytes() for b in buckets[share::shares]] for _, buckets in kinds]
            for share in range(shares)
        ]
        self.triples, self.classes = [], {}
        counts = dict.fromkeys((name for name, _ in kinds), 0)
        for share in run(distinct_share, tasks):
            for (name, _), count in zip(kinds, share, strict=True):
                counts[name] += count
        return counts

"""The ids one audit has seen, in a few bytes each, so that memory stays flat with the input.

The ledger must reject a second record whose id an earlier record of the same type has (SPEC
§3), across the whole input, so every id seen is remembered. As Python strings in a set that
cost ~100 bytes a record — most of what grew between 100,000 and 1,000,000 records. Here an id
is kept as a 16-byte digest (its BLAKE2b cut to 128 bits) in flat `bytearray` tables: ~25
bytes a record with the tables' slack, and no Python object per id.

Why a digest is exact enough: two different ids share a 128-bit digest with probability
2⁻¹²⁸; among n ids the chance that any two do is about n²/2¹²⁹ — 1.5 × 10⁻²¹ for 10⁹ ids, far
below the chance of a memory error in the machine running the audit. A collision would reject
a record as a duplicate it is not; no duplicate is ever missed (equal ids, equal digests).

How the table is laid out, and why:
- Open addressing over buckets of `BUCKET` slots (16 bytes each, filled in order, a count per
  bucket); a full bucket overflows into the next (linear probing over buckets). A lookup is one
  `bytearray.find` of the digest within a bucket, done in C; with no deletions, it ends at the
  first bucket that is not full.
- A bucket is chosen by Python's `hash()` of the digest: keyed per process (SipHash), so input
  crafted to pile ids into one bucket (unkeyed BLAKE2b is public) cannot make lookups slow.
- `SHARDS` tables, each growing on its own (doubling, rehashed in full), so that the old and
  the new table coexist for one shard at a time rather than for the whole index; their sizes
  are staggered over an octave (`shard s` has 2^(s/SHARDS) times the base size), so that they
  double at different moments and the index's load stays near its mean (~0.65) instead of
  swinging between half and full as one doubling table's would.
"""

from __future__ import annotations

from hashlib import blake2b

DIGEST_BYTES = 16  # 128 bits: see the module's docstring for why that is exact enough
BUCKET = 16  # slots a bucket: 256 bytes, what one `find` scans
SHARDS = 64  # a power of two: the shard is the hash's low bits
MAX_LOAD = 0.9  # a shard doubles when it is fuller than this
_FIRST_BUCKETS = 4  # per shard, before staggering
_SHARD_BITS = SHARDS.bit_length() - 1
_SLOT_BITS = DIGEST_BYTES.bit_length() - 1  # slot offsets by shifting (sizes are powers of 2)
_BUCKET_BITS = (BUCKET * DIGEST_BYTES).bit_length() - 1


def digest(key: str) -> bytes:
    """The 128-bit digest an id is kept as: the first 16 bytes of its BLAKE2b (truncating is
    as good as asking for a 16-byte digest, and cheaper in Python). `surrogatepass`: any Python
    string has bytes (an id from a service may hold a lone surrogate), distinct ones distinct."""
    return blake2b(key.encode("utf-8", "surrogatepass")).digest()[:DIGEST_BYTES]


class IdIndex:
    """A set of strings that only grows and only answers "seen before?" (`add`)."""

    __slots__ = ("_counts", "_levels", "_room", "_tables")

    def __init__(self) -> None:
        self._levels = [0] * SHARDS
        self._tables: list[bytearray] = []  # a shard's buckets, back to back
        self._counts: list[bytearray] = []  # how many digests each bucket holds
        self._room: list[int] = []  # digests a shard takes before it doubles
        for shard in range(SHARDS):
            self._tables.append(bytearray())
            self._counts.append(bytearray())
            self._room.append(0)
            self._resize(shard, 0)

    def __len__(self) -> int:
        return sum(c for counts in self._counts for c in counts)

    def add(self, key: str) -> bool:
        """Remember `key`; True if it is new, False if it was seen before. Written out in one
        function: it runs once a record."""
        key_digest = blake2b(key.encode("utf-8", "surrogatepass")).digest()[:DIGEST_BYTES]
        h = hash(key_digest)
        shard = h & (SHARDS - 1)
        table, counts = self._tables[shard], self._counts[shard]
        buckets = len(counts)
        bucket = (h >> _SHARD_BITS) % buckets
        while True:
            count = counts[bucket]
            start = bucket << _BUCKET_BITS
            end = start + (count << _SLOT_BITS)
            found = table.find(key_digest, start, end)
            if found >= 0 and (
                not (found - start) & (DIGEST_BYTES - 1)
                or _at_slot(table, start, end, key_digest, found)
            ):
                return False
            if count < BUCKET:
                table[end : end + DIGEST_BYTES] = key_digest
                counts[bucket] = count + 1
                room = self._room[shard] = self._room[shard] - 1
                if not room:
                    self._resize(shard, self._levels[shard] + 1)
                return True
            bucket = bucket + 1 if bucket + 1 < buckets else 0

    def _resize(self, shard: int, level: int) -> None:
        """Give a shard its table of `level` (twice the size of the one before) and place every
        digest it holds again — all distinct, so none is looked for first."""
        buckets = round(_FIRST_BUCKETS * 2 ** (level + shard / SHARDS))  # staggered: see above
        old = bytes(self._tables[shard])
        table, counts = bytearray(buckets << _BUCKET_BITS), bytearray(buckets)
        for old_bucket, old_count in enumerate(self._counts[shard]):
            first = old_bucket << _BUCKET_BITS
            for offset in range(first, first + (old_count << _SLOT_BITS), DIGEST_BYTES):
                key_digest = old[offset : offset + DIGEST_BYTES]
                bucket = (hash(key_digest) >> _SHARD_BITS) % buckets
                while counts[bucket] == BUCKET:
                    bucket = bucket + 1 if bucket + 1 < buckets else 0
                count = counts[bucket]
                slot = (bucket << _BUCKET_BITS) + (count << _SLOT_BITS)
                table[slot : slot + DIGEST_BYTES] = key_digest
                counts[bucket] = count + 1
        self._tables[shard], self._counts[shard] = table, counts
        self._levels[shard] = level
        self._room[shard] = int(buckets * BUCKET * MAX_LOAD) - sum(counts)


def _at_slot(table: bytearray, start: int, end: int, key_digest: bytes, found: int) -> bool:
    """Whether `key_digest`, found in table[start:end] at `found`, is one of its digests:
    `find` may also match across two slots (the end of one digest and the start of the next)."""
    while found >= 0 and (found - start) & (DIGEST_BYTES - 1):
        found = table.find(key_digest, found + 1, end)
    return found >= 0

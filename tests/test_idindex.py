"""The index of ids seen: exactly a set's answers (no false duplicate, every true duplicate
found), while it grows, and per record type; the ledger's duplicate rejection stays worded
as before."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.pipeline.ledger import Ledger
from compliance.records import idindex
from compliance.records.idindex import DIGEST_BYTES, IdIndex, digest
from compliance.records.readers import Rejected, SeenIds

ids = st.text(max_size=12)  # any Unicode, the empty string and lone surrogates included


def _as_a_set_answers(keys: list[str]) -> None:
    index, seen = IdIndex(), set()
    for key in keys:
        assert index.add(key) is (key not in seen), key
        seen.add(key)
    assert len(index) == len(seen)


@given(st.lists(ids, max_size=60))
def test_new_ids_are_new_and_repeated_ones_are_duplicates(keys: list[str]) -> None:
    _as_a_set_answers(keys + keys[: len(keys) // 2])


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=12_000),
    st.lists(st.integers(min_value=0, max_value=11_999), max_size=300),
    st.randoms(use_true_random=False),
)
def test_answers_stay_exact_while_the_index_grows(
    count: int, repeats: list[int], rnd: random.Random
) -> None:
    """Thousands of ids make every shard double a few times; the repeats come back before,
    during and after those resizes."""
    keys = [f"K-{i:07d}" for i in range(count)]
    keys += [keys[i] for i in repeats if i < count]
    rnd.shuffle(keys)
    _as_a_set_answers(keys)


def test_many_ids_keep_to_a_few_dozen_bytes_each() -> None:
    index = IdIndex()
    count = 300_000
    assert all(index.add(f"C-{i}") for i in range(count))
    assert not any(index.add(f"C-{i}") for i in range(0, count, 7))
    assert index.add("C-x")
    size = sum(map(len, index._tables)) + sum(map(len, index._counts))
    assert size / count < 40  # a Python set of the strings: ~100 bytes an id


def test_crowded_buckets_wrap_round_and_still_answer_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every digest sent to one shard's last bucket (the worst a hash could do): each lookup
    walks the overflow round the end of the table, before and after the shard doubles."""
    monkeypatch.setattr(idindex, "hash", lambda _: -1, raising=False)
    _as_a_set_answers([f"id-{i % 150}" for i in range(400)])


def test_a_match_across_two_slots_is_not_a_digest() -> None:
    """`find` can see a digest's bytes straddling two stored digests; only a slot counts."""
    first, second = digest("a"), digest("b")
    table = bytearray(first + second)
    straddling = first[8:] + second[:8]
    assert not idindex._at_slot(table, 0, len(table), straddling, table.find(straddling))
    table += straddling
    assert idindex._at_slot(table, 0, len(table), straddling, table.find(straddling))


def test_digests_are_128_bits_of_blake2b_and_tell_lone_surrogates_apart() -> None:
    assert len(digest("K-1")) == DIGEST_BYTES == 16
    assert digest("K-1") == digest("K-1") != digest("K-2")
    assert digest("\udc80") != digest("\udc81") != digest("")


@given(st.lists(st.tuples(st.sampled_from(["disciplinary_case", "complaint"]), ids)))
def test_each_record_type_has_its_own_ids(entries: list[tuple[str, str]]) -> None:
    seen, model = SeenIds(), set()
    for number, (record_type, record_id) in enumerate(entries, start=1):
        result = seen.check("f.jsonl", number, record_type, record_id)
        if (record_type, record_id) in model:
            assert isinstance(result, Rejected)
            assert (result.line, result.record_id) == (number, record_id)
        else:
            assert result is None
        model.add((record_type, record_id))


def test_the_ledger_words_a_duplicate_as_before() -> None:
    ledger = Ledger()
    assert ledger.admit("a.jsonl", 1, "complaint", "C-1") is None
    assert ledger.admit("a.jsonl", 2, "disciplinary_case", "C-1") is None
    assert ledger.admit("b.jsonl", 7, "complaint", "C-1") == Rejected(
        "b.jsonl", 7, "C-1", ("complaint_id: duplicate id: an earlier record has it",)
    )
    assert ledger.admit("b.jsonl", 8, "disciplinary_case", "C-1") == Rejected(
        "b.jsonl", 8, "C-1", ("case_id: duplicate id: an earlier record has it",)
    )

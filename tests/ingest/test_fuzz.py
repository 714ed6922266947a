"""Fuzzing every reader with seeded mutations of the real files in ../shared/data (issue #14).

Each case must end with a result whose counts reconcile and whose rejections name the file, or
with :class:`ingest.errors.IngestError` naming the file on one line. Anything else fails with the
seed and case number to replay (``tests.fuzzing.replay``). ``bench/fuzz_bench.py`` runs thousands.
"""
from __future__ import annotations

from collections import Counter

import pytest

from tests.fuzzing import JSON_MUTATIONS, XML_MUTATIONS, build_case, check, targets
from tests.helpers import shared_data

SEED = 14  # fixed: CI runs the same cases every time; the bench varies it
CASES = 400  # per reader; the whole file stays well under a minute on 2 shared cores
READERS = ("gmt", "degs", "signed_tables", "pubtator", "pubmed", "reactome", "wikipathways", "kgml", "curated",
           "trrust", "np_mt_rnm", "grounding")


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list]:
    shared_data()  # skips with the reason when ../shared/data is absent
    return {}


@pytest.mark.parametrize("reader", READERS)
def test_mutated_real_files_fail_only_cleanly(reader, outcomes):
    results = [check(reader, SEED, case) for case in range(CASES)]
    outcomes[reader] = results
    bad = [o for o in results if o.kind == "unexpected"]
    assert not bad, f"{len(bad)} of {CASES} cases failed uncleanly; first ones:\n" + "\n".join(map(str, bad[:5]))


def test_the_cases_exercise_every_mutation_and_every_clean_outcome(outcomes):
    """Guards the suite itself: a mutator that stopped mutating would pass every case above."""
    if len(outcomes) < len(READERS):
        pytest.skip("needs the per-reader cases above in the same run")
    every = [o for results in outcomes.values() for o in results]
    used = Counter(m for o in every for m in o.mutation.split("+"))
    assert set(used) == set(JSON_MUTATIONS) | set(XML_MUTATIONS)
    kinds = Counter(o.kind for o in every)
    assert kinds["ok"] and kinds["rejected"] and kinds["error"]
    for reader, results in outcomes.items():  # each reader sees damage it reports, not only clean reads
        assert any(o.kind in ("rejected", "error") for o in results), reader
    entity = [o for r in ("pubmed", "wikipathways", "kgml") for o in outcomes[r] if o.mutation == "xml_entity"]
    assert entity and all(o.kind == "rejected" and "entity expansion is disabled by design" in o.detail
                          for o in entity), [str(o) for o in entity if "by design" not in o.detail][:3]


def test_cases_are_reproducible_from_seed_and_number():
    shared_data()
    assert targets().keys() == set(READERS)
    for reader in READERS:
        a, b, c = build_case(reader, 3, 7), build_case(reader, 3, 7), build_case(reader, 4, 7)
        assert a[1:] == b[1:]
        assert a[3] != c[3] or a[2] != c[2]

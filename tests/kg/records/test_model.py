"""Record keys: the fast path of stable_hash gives exactly json.dumps' bytes (keys are stored)."""
from __future__ import annotations

import hashlib
import json
import random
import string

from kg.records.model import Edge, stable_hash


def reference(*parts, length=16):
    payload = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:length]


def test_fast_path_equals_the_json_encoding_on_random_strings():
    rng = random.Random(7)
    alphabet = string.printable + "βαé\u2028\x7f\x1f\x00\"\\/"
    for _ in range(20000):
        parts = tuple("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(1, 4)))
        assert stable_hash(*parts) == reference(*parts), parts


def test_mixed_parts_and_a_shipped_key_are_unchanged():
    assert stable_hash("a", 1, None, [1, "b"], length=12) == reference("a", 1, None, [1, "b"], length=12)
    # the key the ready query "evidence for an edge" names: TNF increases MMP3
    assert Edge("HGNC:11892", "increases", "HGNC:7173", 1).key == reference("HGNC:11892", "increases", "HGNC:7173")

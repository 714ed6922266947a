"""The BioRED corpus in PubTator format: documents with their gold mentions and relations.

Read by the evaluation (:mod:`ingest.eval_biored`) and, for Train only, by the learned dictionaries
(:mod:`ingest.nlp.learned`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BioredDoc:
    pmid: str
    text: str
    mentions: list[tuple[int, int, str, str, str]] = field(default_factory=list)  # start, end, text, type, ids
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # type, id1, id2


def read_pubtator(path: Path) -> list[BioredDoc]:
    """BioRED PubTator file -> documents (title + space + abstract, as its offsets assume)."""
    docs: list[BioredDoc] = []
    cur: BioredDoc | None = None
    title = ""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            cur = None
            continue
        if "|t|" in line[:20]:
            pmid, _, title = line.split("|", 2)
            cur = BioredDoc(pmid, title)
            docs.append(cur)
        elif "|a|" in line[:20] and cur is not None:
            cur.text = title + " " + line.split("|", 2)[2]
        elif cur is not None:
            parts = line.split("\t")
            if len(parts) >= 6 and parts[1].isdigit():
                cur.mentions.append((int(parts[1]), int(parts[2]), parts[3], parts[4], parts[5]))
            elif len(parts) >= 4:
                cur.relations.append((parts[1], parts[2], parts[3]))
    return docs

"""Evaluate the literature extractor on BioRED (PubTator format): gene NER and document-level pairs.

- NER: gene/protein mentions (``GeneOrGeneProduct``), exact span match; and the same with the
  normalised id (our HGNC id -> NCBI Gene via the resolver must equal BioRED's NCBI Gene id).
- Relations: document-level unordered gene–gene and gene–chemical pairs (NCBI Gene / MeSH ids;
  our entities take the id of the BioRED mention they overlap, else HGNC -> NCBI Gene),
  first ignoring the relation type, then requiring it (our sign +1 -> Positive_Correlation,
  -1 -> Negative_Correlation, binds -> Bind, 0 -> Association).

A pair's type is the one most of our sentences for it assert. Chemicals come from a dictionary
learned from BioRED *Train* (:mod:`ingest.nlp.learned`), as do extra gene forms, so Dev/Test stay
unseen. BioRED genes of every species are gold; our ids are human HGNC, so a rodent gene only
counts when it overlaps a BioRED mention (span alignment) or its NCBI id is the human one.

>>> prf(8, 10, 16)
{'tp': 8, 'predicted': 10, 'gold': 16, 'precision': 0.8, 'recall': 0.5, 'f1': 0.615}
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.hgnc import HGNCResolver, default_resolver

TYPE_OF_SIGN = {1: "Positive_Correlation", -1: "Negative_Correlation", 0: "Association"}
SPLITS = ("Train", "Dev", "Test")


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


def prf(tp: int, predicted: int, gold: int) -> dict:
    p = tp / predicted if predicted else None
    r = tp / gold if gold else None
    f = 2 * p * r / (p + r) if p and r else 0.0
    return {"tp": tp, "predicted": predicted, "gold": gold, "precision": round(p, 3) if p is not None else None,
            "recall": round(r, 3) if r is not None else None, "f1": round(f, 3)}


def _entrez(resolver: HGNCResolver, hid: str) -> str:
    g = resolver.genes.get(hid)
    return g.entrez_id if g else ""


def _run(docs: list[BioredDoc], nlp):
    return nlp.pipe((d.text for d in docs), batch_size=32)


def evaluate_ner(docs: list[BioredDoc], nlp=None, resolver: HGNCResolver | None = None) -> dict:
    from ingest.nlp.pipeline import default_pipeline

    nlp = nlp or default_pipeline()
    resolver = resolver or default_resolver()
    gold_span, pred_span, gold_id, pred_id = set(), set(), set(), set()
    for d, doc in zip(docs, _run(docs, nlp)):
        for s, e, _t, typ, ids in d.mentions:
            if typ == "GeneOrGeneProduct":
                gold_span.add((d.pmid, s, e))
                for i in ids.split(","):
                    gold_id.add((d.pmid, s, e, i.strip()))
        for ent in doc.ents:
            if ent.label_ == "gene":
                pred_span.add((d.pmid, ent.start_char, ent.end_char))
                pred_id.add((d.pmid, ent.start_char, ent.end_char, _entrez(resolver, ent.kb_id_)))
    gold_id_spans = {(p, s, e) for p, s, e, _ in gold_id}
    tp_id = len({x for x in pred_id if x in gold_id})
    return {"documents": len(docs), "exact_span": prf(len(pred_span & gold_span), len(pred_span), len(gold_span)),
            "normalised_ncbi_gene": prf(tp_id, len(pred_id), len(gold_id_spans))}


def evaluate_relations(docs: list[BioredDoc], nlp=None, resolver: HGNCResolver | None = None) -> dict:
    from ingest.nlp.pipeline import default_pipeline

    nlp = nlp or default_pipeline()
    resolver = resolver or default_resolver()
    out = {}
    gold = {"gene_gene": set(), "gene_chemical": set()}
    gold_typed = {"gene_gene": set(), "gene_chemical": set()}
    pred = {"gene_gene": set(), "gene_chemical": set()}
    pred_typed = {"gene_gene": set(), "gene_chemical": set()}
    for d, doc in zip(docs, _run(docs, nlp)):
        types = {}
        for *_x, typ, ids in d.mentions:
            for i in ids.split(","):
                types[i.strip()] = typ
        for rtype, a, b in d.relations:
            ta, tb = types.get(a), types.get(b)
            kinds = {ta, tb}
            kind = ("gene_gene" if kinds == {"GeneOrGeneProduct"} else
                    "gene_chemical" if kinds == {"GeneOrGeneProduct", "ChemicalEntity"} else None)
            if kind:
                pair = (d.pmid, *sorted((a, b)))
                gold[kind].add(pair)
                gold_typed[kind].add((*pair, rtype))
        aligned = _align(doc, d)
        votes: dict[tuple, Counter] = {}
        for r in doc._.relations or []:
            kind = _pair_kind(r.subject.category, r.object.category)
            if kind is None:
                continue
            a = aligned.get(r.subject.id) or _gold_id(resolver, r.subject)
            b = aligned.get(r.object.id) or _gold_id(resolver, r.object)
            if a and b and a != b:
                pair = (d.pmid, *sorted((a, b)))
                pred[kind].add(pair)
                votes.setdefault((kind, pair), Counter())[relation_type(r)] += 1
        for (kind, pair), c in votes.items():  # one type per pair: the one most sentences assert
            pred_typed[kind].add((*pair, c.most_common(1)[0][0]))
    for kind in gold:
        out[kind] = {"type_ignored": prf(len(pred[kind] & gold[kind]), len(pred[kind]), len(gold[kind])),
                     "type_respected": prf(len(pred_typed[kind] & gold_typed[kind]), len(pred_typed[kind]),
                                           len(gold_typed[kind]))}
    out["gene_chemical"]["note"] = "chemical NER: dictionary learned from BioRED Train (MeSH ids)"
    out["documents"] = len(docs)
    return out


def relation_type(r) -> str:
    """BioRED's relation type for one of our relations: binds -> Bind, else by sign.

    >>> from ingest.nlp.model import Mention, Relation
    >>> m = Mention("TNF", 0, 3, "HGNC:11892", "gene")
    >>> relation_type(Relation(m, "increases", m, 1, "induced", (0, 3)))
    'Positive_Correlation'
    """
    return "Bind" if r.predicate == "binds" else TYPE_OF_SIGN[r.sign]


def _pair_kind(c1: str, c2: str) -> str | None:
    kinds = {c1, c2}
    return "gene_gene" if kinds == {"gene"} else "gene_chemical" if kinds == {"gene", "chemical"} else None


def _gold_id(resolver: HGNCResolver, m) -> str:
    """BioRED's id for one of our mentions: NCBI Gene for genes, the bare MeSH id for chemicals."""
    if m.category == "chemical":
        return m.id.removeprefix("MESH:")
    return _entrez(resolver, m.id)


def _align(doc, d: BioredDoc) -> dict[str, str]:
    """Our entity id -> the id of the BioRED gene/chemical mention it overlaps (first seen).

    So a rodent gene we call by its human HGNC id is compared under BioRED's species-specific id.
    """
    gold_spans = [(s, e, ids.split(",")[0].strip()) for s, e, _t, typ, ids in d.mentions
                  if typ in ("GeneOrGeneProduct", "ChemicalEntity")]
    aligned: dict[str, str] = {}
    for ent in doc.ents:
        for s, e, gid in gold_spans:
            if s < ent.end_char and ent.start_char < e:
                aligned.setdefault(ent.kb_id_, gid)
    return aligned


def split_path(corpus: Path, split: str) -> Path:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    return Path(corpus) / f"{split}.PubTator"


def published_bars() -> dict:
    return {"biored_ner_f1": 0.893, "pubtator3_relation_f1": 0.796, "semrep_precision": 0.69}


def run(kind: str, corpus: Path, split: str = "Test") -> dict:
    docs = read_pubtator(split_path(corpus, split))
    figures = evaluate_ner(docs) if kind == "ner" else evaluate_relations(docs)
    return {"eval": kind, "split": split, "corpus": "BioRED", **figures, "published": published_bars()}


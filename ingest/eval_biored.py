"""Evaluate the literature extractor on BioRED (PubTator format): gene NER and document-level pairs.

- NER: gene/protein mentions (``GeneOrGeneProduct``), exact span match; and the same with the
  normalised id (our HGNC id -> NCBI Gene via the resolver must equal BioRED's NCBI Gene id).
- Relations: document-level unordered gene–gene and gene–chemical pairs (NCBI Gene / MeSH ids;
  our entities take the id of the BioRED mention they overlap, else HGNC -> NCBI Gene),
  first ignoring the relation type, then requiring it (our sign +1 -> Positive_Correlation,
  -1 -> Negative_Correlation, binds -> Bind, 0 -> Association).

We have no chemical NER, so gene–chemical pairs are never predicted: their recall is 0 by
construction and reported as such. BioRED genes of every species are gold; our dictionary is
human HGNC, so rodent genes only count when their NCBI id is the human one — a known gap.

>>> prf(8, 10, 16)
{'tp': 8, 'predicted': 10, 'gold': 16, 'precision': 0.8, 'recall': 0.5, 'f1': 0.615}
"""
from __future__ import annotations

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
        # align our entities with BioRED's by span, so a rodent gene we call by its human HGNC id
        # is compared under BioRED's species-specific NCBI Gene id
        gold_spans = [(s, e, ids.split(",")[0].strip()) for s, e, _t, typ, ids in d.mentions
                      if typ == "GeneOrGeneProduct"]
        aligned: dict[str, str] = {}
        for ent in doc.ents:
            for s, e, gid in gold_spans:
                if s < ent.end_char and ent.start_char < e:
                    aligned.setdefault(ent.kb_id_, gid)
        for r in doc._.relations or []:
            if r.subject.category == "gene" and r.object.category == "gene":
                a = aligned.get(r.subject.id) or _entrez(resolver, r.subject.id)
                b = aligned.get(r.object.id) or _entrez(resolver, r.object.id)
                if a and b and a != b:
                    pair = (d.pmid, *sorted((a, b)))
                    pred["gene_gene"].add(pair)
                    pred_typed["gene_gene"].add((*pair, "Bind" if r.predicate == "binds" else TYPE_OF_SIGN[r.sign]))
    for kind in gold:
        out[kind] = {"type_ignored": prf(len(pred[kind] & gold[kind]), len(pred[kind]), len(gold[kind])),
                     "type_respected": prf(len(pred_typed[kind] & gold_typed[kind]), len(pred_typed[kind]),
                                           len(gold_typed[kind]))}
    out["gene_chemical"]["note"] = "no chemical NER: gene-chemical pairs are never predicted"
    out["documents"] = len(docs)
    return out


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


"""Evaluate the literature extractor on BioRED (PubTator format), end to end from the raw text.

Nothing from the gold annotations reaches the extractor or the scorer's predictions: the pipeline
reads the title and abstract only, and every predicted id comes from our own normaliser (HGNC id ->
NCBI Gene id through the HGNC table; chemicals -> the MeSH id of the dictionary learned from BioRED
*Train*). In particular a prediction never borrows the id of a gold mention it overlaps.

- NER, gene/protein (``GeneOrGeneProduct``) and chemical (``ChemicalEntity``) mentions: exact span
  match, and exact span *and* normalised id (ours must be one of the gold mention's ids). A gene
  mention the CRF tagger finds but no dictionary grounds (``doc.spans["ungrounded_genes"]``) counts
  as a span with no id. A gene
  group ("MMPs", integrin alpha5beta1) counts as a gene mention with no NCBI id, so it can match a
  span but never an id. Rodent genes are normalised to the human gene; BioRED gives the rodent id,
  so they count as id errors.
- Relations: document-level unordered pairs, novelty ignored, over **all** gold relations of the
  kinds whose entities the graph loads (gene, chemical, disease/phenotype): gene–gene,
  gene–chemical, chemical–chemical, gene–disease, chemical–disease; variant relations are counted
  in ``all_relations`` only (the graph has no variants). First ignoring the relation type, then
  requiring it (our sign +1 -> Positive_Correlation, -1 -> Negative_Correlation, binds -> Bind,
  0 -> Association; a pair's type is the one most of our sentences for it assert). Diseases are
  named by the MeSH dictionary learned from BioRED Train; the project lexicon's phenotypes speak
  MeSH through the crosswalk learned from Train (:func:`phenotype_mesh`), and
  a phenotype Train never names keeps its own id, so it is counted as predicted but never matches.

Tuning (the learned dictionaries, the rules) uses Train and Dev only; Test is reported.

>>> prf(8, 10, 16)
{'tp': 8, 'predicted': 10, 'gold': 16, 'precision': 0.8, 'recall': 0.5, 'f1': 0.615}
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

from ingest.biored import BioredDoc, read_pubtator
from ingest.hgnc import HGNCResolver, default_resolver
from ingest.nlp.dictionaries import lexicon_terms
from ingest.nlp.learned import learn_forms, train_docs
from ingest.nlp.ontology_diseases import ontology_disease_concepts
from ingest.nlp.species import document_species

TYPE_OF_SIGN = {1: "Positive_Correlation", -1: "Negative_Correlation", 0: "Association"}
SPLITS = ("Train", "Dev", "Test")
#: BioRED entity type -> the kind of node the graph loads for it (None: not loaded)
LOADED = {"GeneOrGeneProduct": "gene", "ChemicalEntity": "chemical", "DiseaseOrPhenotypicFeature": "disease"}
#: our mention category -> BioRED's side of a pair
OUR_SIDE = {"gene": "gene", "gene_group": "gene", "chemical": "chemical", "phenotype": "disease"}
PAIR_KINDS = ("gene_gene", "gene_chemical", "chemical_chemical", "gene_disease", "chemical_disease")


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
    """The pipeline over the raw text only (no gold entities are ever set on the Doc)."""
    return nlp.pipe((d.text for d in docs), batch_size=32)


def our_id(resolver: HGNCResolver, category: str, kb_id: str, species: str = "human") -> str:
    """The id we claim in BioRED's id space: NCBI Gene for genes, the bare MeSH id for chemicals.

    A gene of a rat or mouse document (:func:`ingest.nlp.species.document_species`) takes the
    rodent NCBI id learned from BioRED Train for its human orthologue, when Train has one; else the
    human id. A phenotype of the project lexicon (``KG:`` or an ontology id) takes the MeSH id
    BioRED Train gives one of its forms (:func:`phenotype_mesh`). Anything we
    cannot express there (a gene group, a phenotype Train never names, a gene without an NCBI id)
    keeps our own id, so it can be counted as predicted but never matches.

    >>> our_id(default_resolver(), "gene", "HGNC:7173"), our_id(default_resolver(), "chemical", "MESH:D005947")
    ('4314', 'D005947')
    """
    if category == "gene":
        if species != "human":
            from ingest.nlp.learned import learned_rodent_ids

            rodent = learned_rodent_ids().get((kb_id, species))
            if rodent:
                return rodent
        return _entrez(resolver, kb_id) or kb_id
    if kb_id.startswith("MESH:") and category in ("chemical", "phenotype", "disease"):
        return kb_id.removeprefix("MESH:")
    if category in ("phenotype", "disease"):
        return phenotype_mesh().get(kb_id, kb_id)
    return kb_id


@lru_cache(maxsize=1)
def phenotype_mesh() -> dict[str, str]:
    """Project phenotype id (``KG:low_back_pain``, or a MONDO/HP id of
    :mod:`ingest.nlp.ontology_diseases`) -> the MeSH id BioRED Train annotates one of its
    forms with: the term's name first, else its most annotated form. A crosswalk learned
    from Train, used to speak BioRED's id space in the evaluation and training, never to tag text.
    """
    forms = learn_forms(train_docs(), "DiseaseOrPhenotypicFeature", fold=True)
    named = [(form, term.id, term.name) for form, term in lexicon_terms().items() if term.category == "phenotype"]
    named += [(f.lower(), cid, label) for cid, (label, fs) in ontology_disease_concepts().items() for f in fs]
    best: dict[str, tuple[tuple[bool, int], str]] = {}
    for form, tid, name in named:
        hit = forms.get(form)
        if hit is None or not (hit[0][:1] in "DC" and hit[0][1:2].isdigit()):
            continue
        rank = (form == name.lower(), hit[1])
        if tid not in best or rank > best[tid][0]:
            best[tid] = (rank, hit[0])
    return {k: v for k, (_r, v) in best.items()}


def evaluate_ner(docs: list[BioredDoc], nlp=None, resolver: HGNCResolver | None = None) -> dict:
    from ingest.nlp.pipeline import default_pipeline

    nlp = nlp or default_pipeline()
    resolver = resolver or default_resolver()
    kinds = {"gene": ("GeneOrGeneProduct", ("gene", "gene_group")), "chemical": ("ChemicalEntity", ("chemical",)),
             "disease": ("DiseaseOrPhenotypicFeature", ("phenotype",))}
    gold_span = {k: set() for k in kinds}
    gold_id = {k: set() for k in kinds}
    pred_span = {k: set() for k in kinds}
    pred_id = {k: set() for k in kinds}
    gold_concepts = {k: set() for k in kinds}
    pred_concepts = {k: set() for k in kinds}
    for d, doc in zip(docs, _run(docs, nlp)):
        species = document_species(d.text)
        for kind, (btype, ours) in kinds.items():
            for s, e, _t, typ, ids in d.mentions:
                if typ == btype:
                    gold_span[kind].add((d.pmid, s, e))
                    for i in ids.split(","):
                        gold_id[kind].add((d.pmid, s, e, i.strip()))
                        gold_concepts[kind].add((d.pmid, i.strip()))
            ungrounded = list(doc.spans.get("ungrounded_genes", [])) if kind == "gene" else []
            for ent in [*doc.ents, *ungrounded]:
                if ent.label_ in ours:
                    cat = "gene" if ent.label_ == "gene_group" else ent.label_
                    oid = our_id(resolver, cat, ent.kb_id_, species) if ent.kb_id_ else "ungrounded"
                    pred_span[kind].add((d.pmid, ent.start_char, ent.end_char))
                    pred_id[kind].add((d.pmid, ent.start_char, ent.end_char, oid))
                    if ent.kb_id_:  # an ungrounded mention claims a span, not a concept
                        pred_concepts[kind].add((d.pmid, oid))
    out: dict = {"documents": len(docs)}
    for kind in kinds:
        g_spans = {(p, s, e) for p, s, e, _ in gold_id[kind]}
        tp_id = len(pred_id[kind] & gold_id[kind])
        block = {"exact_span": prf(len(pred_span[kind] & gold_span[kind]), len(pred_span[kind]), len(gold_span[kind])),
                 "normalised_id": prf(tp_id, len(pred_id[kind]), len(g_spans)),
                 "document_concepts": prf(len(pred_concepts[kind] & gold_concepts[kind]), len(pred_concepts[kind]),
                                          len(gold_concepts[kind]))}
        if kind == "gene":
            out["exact_span"] = block["exact_span"]
            out["normalised_ncbi_gene"] = block["normalised_id"]
            out["gene_document_concepts"] = block["document_concepts"]
        elif kind == "chemical":
            out["chemical"] = {**block, "note": "chemical dictionary learned from BioRED Train (MeSH ids)"}
        else:
            out["disease"] = {**block, "note": "disease dictionary learned from BioRED Train (MeSH ids) after the "
                                               "project's phenotype lexicon (its ids spoken as MeSH via Train)"}
    out["method"] = ("end to end from raw text; predicted ids only from our normaliser (no gold-span "
                     "alignment); normalised_id needs the exact span and one of the gold ids")
    return out


def gold_relations(d: BioredDoc) -> list[tuple[str, tuple[str, str], str | None]]:
    """``(type, sorted id pair, kind)`` of every gold relation of ``d``; kind None when the graph loads
    neither side's type (variants).

    >>> d = BioredDoc("1", "x", [(0, 1, "a", "GeneOrGeneProduct", "7"), (0, 1, "b", "ChemicalEntity", "D1")],
    ...               [("Bind", "D1", "7")])
    >>> gold_relations(d)
    [('Bind', ('7', 'D1'), 'gene_chemical')]
    """
    types: dict[str, str] = {}
    for *_x, typ, ids in d.mentions:
        for i in ids.split(","):
            types.setdefault(i.strip(), typ)
    return [(rtype, (min(a, b), max(a, b)), pair_kind(LOADED.get(types.get(a, "")), LOADED.get(types.get(b, ""))))
            for rtype, a, b in d.relations]


def pair_kind(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return None
    k = "_".join(sorted((a, b), key=("gene", "chemical", "disease").index))
    return k if k in PAIR_KINDS else None


def offline_gene_ids(resolver: HGNCResolver) -> frozenset[str]:
    """NCBI Gene ids a normaliser here can give: the human genes of ``resolver``'s HGNC table and the
    rodent ids learned from BioRED Train (used to report a recall bound, never to predict)."""
    from ingest.nlp.learned import learned_rodent_ids

    human = {_entrez(resolver, h) for _s, h, tier in resolver.symbol_index() if tier == "approved"}
    return frozenset(human - {""}) | frozenset(learned_rodent_ids().values())


def evaluate_relations(docs: list[BioredDoc], nlp=None, resolver: HGNCResolver | None = None) -> dict:
    from ingest.nlp.pipeline import default_pipeline

    nlp = nlp or default_pipeline()
    resolver = resolver or default_resolver()
    kinds = (*PAIR_KINDS, "all_relations")
    gold: dict[str, set] = {k: set() for k in kinds}
    gold_typed: dict[str, set] = {k: set() for k in kinds}
    readers = ("rules", "pair_model")
    pred: dict[str, dict[str, set]] = {r: {k: set() for k in kinds} for r in readers}
    pred_typed: dict[str, dict[str, set]] = {r: {k: set() for k in kinds} for r in readers}
    reachable = {k: 0 for k in kinds}  # gold pairs whose two ids our NER found in the document
    nameable = {k: 0 for k in kinds}  # gold pairs whose genes an offline normaliser could name at all
    gene_ids = offline_gene_ids(resolver)
    gold_total = 0
    model_state = None
    for d, doc in zip(docs, _run(docs, nlp)):
        species = document_species(d.text)
        model_state = doc._.pairs_model
        found = {our_id(resolver, "gene" if e.label_ == "gene_group" else e.label_, e.kb_id_, species)
                 for e in doc.ents}
        genes = {i for *_x, typ, ids in d.mentions if typ == "GeneOrGeneProduct" for i in ids.split(",")}
        for rtype, (a, b), kind in gold_relations(d):
            gold_total += 1
            can = all(x in gene_ids for x in (a, b) if x in genes)
            pair = (d.pmid, a, b)
            for k in ((kind, "all_relations") if kind else ("all_relations",)):
                gold[k].add(pair)
                gold_typed[k].add((*pair, rtype))
                reachable[k] += a in found and b in found
                nameable[k] += can
        claims = {"rules": [(r.subject, r.object, relation_type(r)) for r in doc._.relations or []],
                  "pair_model": [(p.a, p.b, p.type) for p in doc._.pairs or []]}
        for reader, said in claims.items():
            votes: dict[tuple, Counter] = {}
            for ma, mb, rtype in said:
                sa, sb = OUR_SIDE.get(ma.category), OUR_SIDE.get(mb.category)
                kind = pair_kind(sa, sb)
                if kind is None:
                    continue  # processes, tissues, cells: BioRED does not annotate them
                a = our_id(resolver, "gene" if sa == "gene" else ma.category, ma.id, species)
                b = our_id(resolver, "gene" if sb == "gene" else mb.category, mb.id, species)
                if a == b:
                    continue
                pair = (d.pmid, *sorted((a, b)))
                for k in (kind, "all_relations"):
                    pred[reader][k].add(pair)
                votes.setdefault((kind, pair), Counter())[rtype] += 1
            for (kind, pair), c in votes.items():  # one type per pair: the one most sentences assert
                t = c.most_common(1)[0][0]
                pred_typed[reader][kind].add((*pair, t))
                pred_typed[reader]["all_relations"].add((*pair, t))
    out: dict = {}
    for reader in readers:
        block: dict = {}
        for k in kinds:
            block[k] = {"type_ignored": prf(len(pred[reader][k] & gold[k]), len(pred[reader][k]), len(gold[k])),
                        "type_respected": prf(len(pred_typed[reader][k] & gold_typed[k]), len(pred_typed[reader][k]),
                                              len(gold_typed[k])),
                        "gold_pairs_with_both_ids_found": reachable[k],
                        "gold_pairs_offline_nameable": nameable[k]}
        both = ("gene_gene", "gene_chemical")
        block["gene_gene_plus_gene_chemical"] = {
            "type_ignored": prf(sum(len(pred[reader][k] & gold[k]) for k in both),
                                sum(len(pred[reader][k]) for k in both), sum(len(gold[k]) for k in both)),
            "gold_pairs_with_both_ids_found": sum(reachable[k] for k in both),
            "gold_pairs_offline_nameable": sum(nameable[k] for k in both),
            "note": "gold_pairs_offline_nameable: pairs whose gene ids are human genes of the HGNC table or rodent "
                    "genes BioRED Train names (no offline table here gives other rodent NCBI ids); it bounds "
                    "recall for any reader of this project, whatever its pairing"}
        block["gene_chemical"]["note"] = "chemical NER: dictionary learned from BioRED Train (MeSH ids)"
        dis = ("gene_disease", "chemical_disease")
        block["gene_disease_plus_chemical_disease"] = {
            "type_ignored": prf(sum(len(pred[reader][k] & gold[k]) for k in dis),
                                sum(len(pred[reader][k]) for k in dis), sum(len(gold[k]) for k in dis)),
            "gold_pairs_with_both_ids_found": sum(reachable[k] for k in dis),
            "note": "diseases: the dictionary learned from BioRED Train (MeSH) after the project's phenotype lexicon"}
        block["all_relations"]["note"] = "every gold relation of the split, variant relations included"
        out[reader] = block
    out["rules"]["reader"] = "sentence rules (ingest.nlp.relations)"
    out["pair_model"]["reader"] = f"document-level pair model (ingest.nlp.pairs): {model_state}"
    out["gold_relations"] = gold_total
    out["documents"] = len(docs)
    out["method"] = ("end to end from raw text; ids only from our normaliser (rodent genes: the NCBI id learned "
                     "from BioRED Train for the document's species); document-level unordered pairs over all "
                     "gold relations of each kind; novelty ignored")
    return out


def relation_type(r) -> str:
    """BioRED's relation type for one of our relations: binds -> Bind, else by sign.

    >>> from ingest.nlp.model import Mention, Relation
    >>> m = Mention("TNF", 0, 3, "HGNC:11892", "gene")
    >>> relation_type(Relation(m, "increases", m, 1, "induced", (0, 3)))
    'Positive_Correlation'
    """
    return "Bind" if r.predicate == "binds" else TYPE_OF_SIGN[r.sign]


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

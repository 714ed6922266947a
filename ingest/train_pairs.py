"""Train the document-level pair model (:mod:`ingest.nlp.pairs`) on BioRED: fit on Train, choose
the regularisation and the threshold on Dev, never look at Test.

Candidates are our own entities' concept pairs (:func:`ingest.nlp.pairs.pair_features`); a
candidate is positive when its two ids, in BioRED's id space (:func:`ingest.eval_biored.our_id`),
form a gold relation of the document. The threshold maximises gene–gene plus gene–chemical pair
F1 on Dev over **all** Dev gold pairs of those kinds, so pairs our NER never found count as misses; a
second threshold, for pairs with a disease side, maximises gene–disease plus chemical–disease F1 alike
(with ``min_precision`` > 0, only thresholds reaching that precision compete, when any does). A second, multinomial model learns the relation type from Train positives.

Run by ``kg train pairs`` (writes ``kg/datapack/models/pairs.json``); the test suite retrains and
checks the shipped file is what this code produces.

>>> best_threshold([(0.9, True), (0.8, False), (0.7, True)], gold=4, min_precision=0.6)
(0.7, {'tp': 2, 'predicted': 3, 'gold': 4, 'precision': 0.667, 'recall': 0.5, 'f1': 0.571})
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ingest.biored import BioredDoc, read_pubtator
from ingest.eval_biored import gold_relations, our_id, pair_kind, prf, split_path
from ingest.hgnc import HGNCResolver, default_resolver
from ingest.nlp.pairs import MODEL_FILE, SIDE, TYPES, pair_features
from ingest.nlp.species import document_species

SCORED = ("gene_gene", "gene_chemical")
DISEASE = ("gene_disease", "chemical_disease")  # their own threshold: ``disease_threshold``
C_GRID = (0.03, 0.1, 0.3, 1.0)
MIN_PRECISION = 0.0


@dataclass
class Candidate:
    pmid: str
    kind: str
    key: tuple[str, str]
    features: dict[str, float]
    gold_type: str | None


def candidates(docs: list[BioredDoc], nlp=None, resolver: HGNCResolver | None = None
               ) -> tuple[list[Candidate], dict[str, int]]:
    """Every candidate of ``docs`` with its label, and the number of gold pairs per kind."""
    from ingest.nlp.pipeline import default_pipeline

    nlp = nlp or default_pipeline()
    resolver = resolver or default_resolver()
    out: list[Candidate] = []
    gold_count: dict[str, int] = {k: 0 for k in (*SCORED, *DISEASE)}
    for d, doc in zip(docs, nlp.pipe((d.text for d in docs), batch_size=32)):
        species = document_species(d.text)
        gold: dict[tuple[str, str], str] = {}
        for rtype, key, kind in gold_relations(d):
            if kind in gold_count and key not in gold:
                gold_count[kind] += 1
            gold[key] = rtype
        best: dict[tuple[str, str], Candidate] = {}
        for a, b, feats, _sentence, (x, y) in pair_features(doc):
            ia, ib = our_id(resolver, SIDE[x.label_], a, species), our_id(resolver, SIDE[y.label_], b, species)
            if ia == ib:
                continue
            key = (min(ia, ib), max(ia, ib))
            cand = Candidate(d.pmid, pair_kind(SIDE[x.label_], SIDE[y.label_]) or "", key, feats, gold.get(key))
            if key not in best or len(feats) > len(best[key].features):
                best[key] = cand
        out.extend(best.values())
    return out, gold_count


def best_threshold(scored: Iterable[tuple[float, bool]], gold: int, min_precision: float = MIN_PRECISION
                   ) -> tuple[float, dict]:
    """The threshold (one of the scores) with the best F1 among those with precision >= ``min_precision``,
    else the best F1; ``scored`` = (probability, is a gold pair)."""
    ranked = sorted(scored, key=lambda t: -t[0])
    best: tuple[tuple[bool, float], float, dict] | None = None
    tp = 0
    for n, (p, hit) in enumerate(ranked, 1):
        tp += hit
        if n < len(ranked) and ranked[n][0] == p:
            continue  # ties: a threshold takes all of them
        fig = prf(tp, n, gold)
        rank = ((fig["precision"] or 0) >= min_precision, fig["f1"])
        if best is None or rank > best[0]:
            best = (rank, p, fig)
    if best is None:
        return 1.0, prf(0, 0, gold)
    return best[1], best[2]


def _fit(cands: list[Candidate], c: float):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform([k.features for k in cands])
    y = [k.gold_type is not None for k in cands]
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x, y)
    return vec, model


def _probabilities(vec, model, cands: list[Candidate]) -> list[float]:
    if not cands:
        return []
    return [float(p) for p in model.predict_proba(vec.transform([k.features for k in cands]))[:, 1]]


def _scored(cands: list[Candidate], probs: list[float], kinds: tuple[str, ...] = SCORED) -> list[tuple[float, bool]]:
    return [(p, k.gold_type is not None) for k, p in zip(cands, probs) if k.kind in kinds]


def _choose(train_c: list[Candidate], dev_c: list[Candidate], kinds: tuple[str, ...], gold: int,
            min_precision: float, grid: tuple[float, ...]) -> tuple[float, float, dict, dict[str, float], float]:
    """Fit on ``train_c`` for each C of ``grid``; keep the C and threshold with the best Dev F1 over the
    ``gold`` Dev pairs of ``kinds``: ``(C, threshold, Dev figures, weights, bias)``."""
    choice = None
    for c in grid:
        vec, model = _fit(train_c, c)
        thr, fig = best_threshold(_scored(dev_c, _probabilities(vec, model, dev_c), kinds), gold, min_precision)
        rank = ((fig["precision"] or 0) >= min_precision, fig["f1"])
        if choice is None or rank > choice[0]:
            choice = (rank, c, thr, fig, vec, model)
    assert choice is not None
    _rank, c, thr, fig, vec, model = choice
    weights = {str(n): round(float(w), 6) for n, w in zip(vec.get_feature_names_out(), model.coef_[0]) if abs(w) > 1e-9}
    return c, thr, fig, weights, round(float(model.intercept_[0]), 6)


def train(corpus: Path, min_precision: float = MIN_PRECISION, grid: tuple[float, ...] = C_GRID) -> dict[str, Any]:
    """Fit on Train, pick C and the threshold on Dev; the model spec :class:`PairModel` reads."""
    import sklearn
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    train_c, _ = candidates(read_pubtator(split_path(corpus, "Train")))
    dev_c, dev_gold = candidates(read_pubtator(split_path(corpus, "Dev")))
    c, thr, fig, weights, bias = _choose([k for k in train_c if k.kind not in DISEASE], dev_c, SCORED,
                                         sum(dev_gold[k] for k in SCORED), min_precision, grid)
    # pairs with a disease side: a model of their own, so they never move the gene/chemical one
    dc, dthr, dfig, dweights, dbias = _choose([k for k in train_c if k.kind in DISEASE], dev_c, DISEASE,
                                              sum(dev_gold[k] for k in DISEASE), min_precision, grid)
    positives = [k for k in train_c if k.gold_type in TYPES]
    tvec = DictVectorizer()
    tx = tvec.fit_transform([k.features for k in positives])
    tmodel = LogisticRegression(C=c, max_iter=2000)
    tmodel.fit(tx, [k.gold_type for k in positives])
    tnames = tvec.get_feature_names_out()
    coefs = tmodel.coef_ if len(tmodel.classes_) > 2 else [-tmodel.coef_[0], tmodel.coef_[0]]
    icepts = tmodel.intercept_ if len(tmodel.classes_) > 2 else [-tmodel.intercept_[0], tmodel.intercept_[0]]
    types = {str(cls): {"bias": round(float(b), 6),
                        "weights": {str(n): round(float(w), 6) for n, w in zip(tnames, row) if abs(w) > 1e-9}}
             for cls, row, b in zip(tmodel.classes_, coefs, icepts)}
    return {"model": "logistic regression over binary pair features (scikit-learn, L2, lbfgs)",
            "trained_on": "BioRED Train (Luo et al. 2022, doi:10.1093/bib/bbac282)",
            "tuned_on": "BioRED Dev: C and both thresholds", "sklearn": sklearn.__version__,
            "C": c, "threshold": round(float(thr), 6), "min_precision": min_precision,
            "dev_gene_gene_plus_gene_chemical": fig, "train_candidates": len(train_c),
            "disease": {"C": dc, "threshold": round(float(dthr), 6), "bias": dbias, "weights": dweights,
                        "dev_gene_disease_plus_chemical_disease": dfig},
            "train_positives": sum(k.gold_type is not None for k in train_c),
            "bias": bias, "weights": weights, "types": types}


def write(spec: dict[str, Any], path: Path = MODEL_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path

"""Document-level entity pairs scored by a linear model learned from BioRED Train.

The rule reader (:mod:`ingest.nlp.relations`) reads one sentence at a time and prefers no edge to
a wrong one. BioRED's relations are document-level: "TNF ... MMP3" may be related although no
single sentence says how. This component proposes every unordered pair of gene, gene-family,
chemical and disease/phenotype concepts of a document (never two diseases: BioRED relates none), describes it with features that need no gold data (how often and
where the two co-occur, their frequency ranks, the title, the words between the closest mentions,
whether a rule relation joins them), and scores it with a logistic model trained by
``kg train pairs`` (:mod:`ingest.train_pairs`) on BioRED Train, its threshold chosen on Dev; pairs
with a disease side have a model and threshold of their own (``disease`` in the spec).

The model is shipped as JSON (``kg/datapack/models/pairs.json``: feature weights, bias,
threshold, type weights, the training data and scores), so prediction needs no pickle and no
scikit-learn. Without the file the component predicts nothing and says so in ``doc._.pairs_model``.

Results go to ``doc._.pairs`` (highest probability first): each :class:`Pair` keeps both concepts'
mentions, the probability, BioRED's relation type the type model predicts, and the sentence of the
closest co-occurrence (``None`` when the two never share a sentence: such a pair is a document-level
claim, never sentence evidence).

>>> m = PairModel({"bias": 0.0, "threshold": 0.5, "weights": {"co_sent=1": 2.0}, "types": {},
...                "disease": {"bias": -1.0, "threshold": 0.2, "weights": {}}})
>>> round(m.probability({"co_sent=1": 1.0}), 3), round(m.probability({}), 3)
(0.881, 0.5)
>>> round(m.probability({"co_sent=1": 1.0}, "disease_gene"), 3), m.threshold_for("disease_gene")
(0.269, 0.2)
"""
from __future__ import annotations

import json
import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.nlp.model import Mention, sentence_spans
from ingest.nlp.relations import mention

#: mention category -> the side of a pair the model was trained on (BioRED's sides)
SIDE = {"gene": "gene", "gene_group": "gene", "chemical": "chemical", "phenotype": "disease"}
#: BioRED relation types the type model may predict
TYPES = ("Association", "Positive_Correlation", "Negative_Correlation", "Bind", "Cotreatment",
         "Drug_Interaction", "Comparison", "Conversion")
MODEL_FILE = Path(__file__).resolve().parents[2] / "kg" / "datapack" / "models" / "pairs.json"
MAX_BETWEEN = 12  # words between two mentions that still count as lexical features
_STOP = frozenset({"the", "a", "an", "of", "in", "and", "or", "with", "to", "by", "for", "on", "as", "at", "is",
                   "are", "was", "were", "be", "that", "this", "these", "which", ",", ".", "(", ")", "-", "/"})


@dataclass
class Pair:
    """One scored document-level pair of concepts ``a`` < ``b`` (by id)."""

    a: Mention
    b: Mention
    probability: float
    type: str
    sentence: tuple[int, int] | None

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"a": self.a.id, "a_text": self.a.text, "b": self.b.id, "b_text": self.b.text,
                             "probability": round(self.probability, 3), "type": self.type,
                             "sentence_offsets": list(self.sentence) if self.sentence else None}
        if text is not None and self.sentence:
            d["sentence"] = text[self.sentence[0]:self.sentence[1]]
        return d


class PairModel:
    """A logistic model over sparse binary features, plus a multinomial type model.

    ``spec``: ``{"bias", "threshold", "weights": {feature: w}, "types": {type: {"bias", "weights"}},
    "disease": {"bias", "threshold", "weights"}}``; without ``disease``, disease pairs use the first model.
    """

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.bias = float(spec["bias"])
        self.threshold = float(spec["threshold"])
        self.weights: dict[str, float] = spec["weights"]
        self.disease: dict[str, Any] = spec.get("disease") or {"bias": self.bias, "threshold": self.threshold,
                                                                "weights": self.weights}
        self.types: dict[str, dict[str, Any]] = spec.get("types") or {}

    def probability(self, feats: dict[str, float], kind: str = "") -> float:
        """P(related) of a pair of ``kind`` (a disease side picks the disease model)."""
        bias, weights = (float(self.disease["bias"]), self.disease["weights"]) if "disease" in kind \
            else (self.bias, self.weights)
        z = bias + sum(weights.get(f, 0.0) * v for f, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def threshold_for(self, kind: str) -> float:
        """The threshold of a pair kind (``gene_gene``, ``disease_gene``, ...): diseases have their own."""
        return float(self.disease["threshold"]) if "disease" in kind else self.threshold

    def type_of(self, feats: dict[str, float]) -> str:
        """The most probable relation type (argmax of the type model's scores; Association without one)."""
        best, best_z = "Association", -math.inf
        for name, m in self.types.items():
            z = float(m["bias"]) + sum(m["weights"].get(f, 0.0) * v for f, v in feats.items())
            if z > best_z:
                best, best_z = name, z
        return best

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "PairModel | None":
        if not Path(path).is_file():
            return None
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def shipped_model(path: str = str(MODEL_FILE)) -> PairModel | None:
    return PairModel.load(Path(path))


def _bin(n: int, edges: tuple[int, ...] = (0, 1, 2, 3, 5, 8)) -> str:
    """The largest edge <= n, as text ("5+" style bins keep the feature space small).

    >>> _bin(0), _bin(4), _bin(40)
    ('0', '3', '8')
    """
    return str(edges[max(0, bisect_right(edges, n) - 1)])


def _concepts(doc: Doc) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for e in doc.ents:
        if e.label_ in SIDE and e.kb_id_:
            out.setdefault(e.kb_id_, []).append(e)
    return out


def pair_kind_of(x: Span, y: Span) -> str:
    """The sides of two mentions, sorted and joined: ``gene_gene``, ``chemical_gene``, ``disease_gene``."""
    return "_".join(sorted((SIDE[x.label_], SIDE[y.label_])))


Candidate = tuple[str, str, dict[str, float], tuple[int, int] | None, tuple[Span, Span]]


def pair_features(doc: Doc) -> list[Candidate]:
    """``(id_a, id_b, features, closest shared sentence, (mention a, mention b))`` for every
    unordered concept pair; the mentions are the closest co-occurring ones, else the first ones.

    Features depend on the text and our own entities only (never on gold annotations).
    """
    concepts = _concepts(doc)
    if len(concepts) < 2:
        return []
    sents = sentence_spans(doc)
    starts = [s.start for s in sents]
    sent_of = {id(e): bisect_right(starts, e.start) - 1 for ms in concepts.values() for e in ms}
    counts = {k: len(v) for k, v in concepts.items()}
    # frequency ranks and the concept count: among genes and chemicals for their pairs (diseases must
    # not move them), among all concepts for pairs with a disease side
    molecular = [k for k, v in concepts.items() if SIDE[v[0].label_] != "disease"]
    ranks = {}
    for scope, keys in (("molecular", molecular), ("all", list(concepts))):
        ranked = sorted(keys, key=lambda k: (-counts[k], concepts[k][0].start))
        ranks[scope] = ({k: i for i, k in enumerate(ranked)}, _bin(len(keys)))
    ruled: dict[tuple[str, str], list] = {}
    for r in doc._.relations or []:
        ruled.setdefault(tuple(sorted((r.subject.id, r.object.id))), []).append(r)
    last = len(sents) - 1
    out = []
    ids = sorted(concepts)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ma, mb = concepts[a], concepts[b]
            kind = pair_kind_of(ma[0], mb[0])
            if kind == "disease_disease":
                continue
            rank, n_concepts = ranks["all" if "disease" in kind else "molecular"]
            sa = {sent_of[id(e)] for e in ma}
            sb = {sent_of[id(e)] for e in mb}
            shared = sa & sb
            f: dict[str, float] = {"kind=" + kind: 1.0, "n_concepts=" + n_concepts: 1.0}
            co = _bin(len(shared))
            f["co_sent=" + co] = 1.0
            f[kind + "|co_sent=" + co] = 1.0
            lo_c, hi_c = sorted((counts[a], counts[b]))
            f["cnt_min=" + _bin(lo_c)] = 1.0
            f["cnt_max=" + _bin(hi_c)] = 1.0
            lo_r, hi_r = sorted((rank[a], rank[b]))
            f["rank_min=" + _bin(lo_r)] = 1.0
            f["rank_max=" + _bin(hi_r)] = 1.0
            f[kind + "|rank_min=" + _bin(lo_r)] = 1.0
            title = (0 in sa) + (0 in sb)
            f["in_title=" + str(title)] = 1.0
            if 0 in shared:
                f["co_title"] = 1.0
            if last in shared and last > 0:
                f["co_last"] = 1.0
            if ma[0].label_ == "gene_group" or mb[0].label_ == "gene_group":
                f["group"] = 1.0
            rels = ruled.get((a, b), [])
            if rels:
                f["rule"] = 1.0
                for r in rels:
                    f["rule_sign=" + str(r.sign)] = 1.0
                    f["rule_pred=" + r.predicate] = 1.0
            best = None
            if shared:
                best = min(((abs(x.start - y.start), x, y) for x in ma for y in mb
                            if sent_of[id(x)] == sent_of[id(y)]), key=lambda t: t[0])
                dist, x, y = best
                f["dist=" + _bin(dist, (0, 2, 4, 8, 16, 32))] = 1.0
                left, right = sorted((x, y), key=lambda s: s.start)
                between = [t.lower_ for t in doc[left.end:right.start]]
                if len(between) <= MAX_BETWEEN:
                    for w in between:
                        if w not in _STOP and w.isalpha():
                            f["btw=" + w] = 1.0
                    if not between or between == [","] or between == ["and"]:
                        f["adjacent_or_listed"] = 1.0
            else:
                gap = min(abs(p - q) for p in sa for q in sb)
                f["sent_gap=" + _bin(gap)] = 1.0
            sentence = None
            spans = (ma[0], mb[0])
            if best is not None:
                s = sents[sent_of[id(best[1])]]
                sentence = (s.start_char, s.end_char)
                spans = (best[1], best[2])
            out.append((a, b, f, sentence, spans))
    return out


@Language.factory("pairs", default_config={"model_path": ""})
def make_pairs(nlp: Language, name: str, model_path: str) -> "PairScorer":
    return PairScorer(model_path or str(MODEL_FILE))


class PairScorer:
    """The spaCy component: ``doc._.pairs`` from :func:`pair_features` and the shipped model."""

    def __init__(self, model_path: str):
        self.model = shipped_model(model_path)
        self.model_path = model_path

    def __call__(self, doc: Doc) -> Doc:
        doc._.pairs_model = self.model_path if self.model else f"no pair model at {self.model_path}"
        if self.model is None:
            doc._.pairs = []
            return doc
        found = []
        for _a, _b, feats, sentence, (x, y) in pair_features(doc):
            kind = pair_kind_of(x, y)
            p = self.model.probability(feats, kind)
            if p >= self.model.threshold_for(kind):
                found.append(Pair(mention(x), mention(y), p, self.model.type_of(feats), sentence))
        found.sort(key=lambda x: -x.probability)
        doc._.pairs = found
        return doc


for _name in ("pairs", "pairs_model"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

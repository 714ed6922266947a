"""Relations between entity pairs of one sentence, from a trigger lexicon.

The subject is the nearest entity before the trigger, the object the nearest after it (plus
entities coordinated with it: "A and B"); a passive ("X was induced by Y", "X induced by Y")
or a nominal ("activation of X by Y") flips the direction. Predicates and signs come from
``relation_triggers`` in ``ontology/lexicons.yaml`` (with association cues: "associated",
"correlated", "interaction between X and Y", "complex"). No pair is taken across a clause
boundary ("while", "whereas", ";") or into/out of a bracketed list, nor from comparisons
("lower MMP3"), nor between two mentions of one gene. Results go to ``doc._.relations``.

>>> from ingest.nlp.pipeline import default_pipeline
>>> doc = default_pipeline()("MMP3 was induced by TNF in NP cells.")
>>> [(r.subject.text, r.predicate, r.object.text, r.sign) for r in doc._.relations]
[('TNF', 'increases', 'MMP3', 1)]
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.nlp.model import Mention, Relation, doc_text, sentence_spans
from ontology import load_ontology

BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
#: words allowed between coordinated objects ("MMP3, MMP13 and ADAMTS4 expression")
COORD = frozenset({",", "and", "or", "/", "as", "well", "both", "the", "its", "their", "expression",
                   "levels", "level", "mRNA", "protein", "proteins", "production", "secretion", "-",
                   "activity", "genes", "gene"})
UNDIRECTED = frozenset({"binds", "associated_with"})
MAX_GAP = 12  # tokens between an entity and its trigger
ADJECTIVES = frozenset({"lower", "higher"})  # trigger forms that are mostly adjectives as written
CLAUSE_BREAKS = frozenset({";", "while", "whereas", "but", "although", "however"})


@dataclass(frozen=True)
class Trigger:
    predicate: str
    sign: int


@lru_cache(maxsize=1)
def trigger_forms() -> dict[str, Trigger]:
    """Lower-cased word form -> Trigger, expanded from the stems with the listed suffixes."""
    lex = load_ontology().lexicons
    suffixes = lex.get("trigger_suffixes", [""])
    out: dict[str, Trigger] = {}
    for t in lex.get("relation_triggers", ()):
        stem, trig = t["stem"].lower(), Trigger(t["predicate"], int(t["sign"]))
        bases = [stem, stem[:-1]] if stem.endswith("e") else [stem]
        for base in bases:
            for suf in suffixes:
                if base == stem or suf:
                    out.setdefault(base + suf, trig)
    return out


def mention(span: Span) -> Mention:
    return Mention(span.text, span.start_char, span.end_char, span.kb_id_, span.label_)


def _find_triggers(sent: Span, forms: dict[str, Trigger]) -> list[tuple[int, int, Trigger]]:
    """(first token, last token, trigger) in the sentence; "up-regulated" is three tokens."""
    out = []
    doc = sent.doc
    for tok in sent:
        trig = forms.get(tok.lower_)
        if trig is None:
            continue
        i = tok.i
        if i >= 2 and doc[i - 1].text == "-" and doc[i - 2].lower_ in ("up", "down"):
            word = doc[i - 2].lower_ + "-" + tok.lower_
            out.append((i - 2, i, forms.get(word, trig)))
        else:
            out.append((i, i, trig))
    return out


def sentence_relations(sent: Span, ents: list[Span], forms: dict[str, Trigger]) -> list[Relation]:
    """Relations in one sentence given its entities (in order)."""
    if len(ents) < 2:
        return []
    doc = sent.doc
    rels: list[Relation] = []
    starts = [e.start for e in ents]
    last: tuple[Span, list[Span]] | None = None  # (subject, objects) of the previous trigger
    for t0, t1, trig in _find_triggers(sent, forms):
        if any(e.start <= t0 < e.end for e in ents):
            continue  # the trigger word is inside an entity ("TNF-induced apoptosis" term)
        k = bisect_right(starts, t0)
        before = [e for e in ents[:k] if e.end <= t0]
        after = ents[k:]
        if not after:
            continue
        word = doc[t1].lower_
        if word in ADJECTIVES:
            continue  # "lower CCL2 levels": a comparison, not an assertion
        nxt = doc[t1 + 1] if t1 + 1 < sent.end else None
        if word.endswith(("ing", "ion", "ions")) and trig.predicate in UNDIRECTED and (
                nxt is None or nxt.lower_ not in ("of", "to", "with", "between")):
            continue  # "RNA binding protein", "MCM binding": a modifier, not an assertion
        by_i = next((j for j in range(t1 + 1, min(t1 + 4, sent.end)) if doc[j].lower_ == "by"), None)
        passive = word.endswith("ed") or word == "bound"
        passive = passive and by_i is not None and (
            by_i == t1 + 1 or any(doc[j].lower_ in BE for j in range(max(sent.start, t0 - 3), t0)))
        nominal = word.endswith(("ion", "ions", "ment"))
        if nominal and nxt is not None and nxt.lower_ == "between" and len(after) >= 2 and trig.sign == 0:
            # "interaction between X and Y", "correlation between X and Y"
            x, y = after[0], after[1]
            if x.start - t1 <= 3 and all(t.lower_ in ("and", ",", "the") for t in doc[x.end:y.start]):
                rels.append(_relation(doc, sent, x, y, trig, t0, t1))
            continue
        if nominal and (nxt is None or nxt.lower_ != "of"):
            continue  # "STAT3 activation in response to VEGF": no clear agent and patient
        if nxt is not None and nxt.lower_ == "of" and (nominal or word.endswith("ing")):
            # nominal: "activation of X (by Y)"
            objs = _objects(doc, after, t1, sent.end)
            agent: list[Span] = []
            by_any = next((j for j in range(t1 + 2, min(t1 + MAX_GAP, sent.end)) if doc[j].lower_ == "by"), None)
            if by_any is not None:
                agent = [e for e in after if e.start > by_any][:1]
            elif before and t0 - before[-1].end <= 3:
                agent = before[-1:]
            subj = agent[0] if agent else None
        elif passive:
            subj_list = [e for e in after if e.start > by_i][:1]
            subj = subj_list[0] if subj_list and subj_list[0].start - by_i <= 4 else None
            objs = _coordinated_before(doc, before) if before and t0 - before[-1].end <= MAX_GAP else []
        else:
            subj = before[-1] if before and t0 - before[-1].end <= MAX_GAP else None
            objs = _objects(doc, after, t1, sent.end)
            if (subj is not None and last is not None and subj in last[1]
                    and any(t.lower_ == "and" for t in doc[subj.end:t0])):
                subj = last[0]  # "X up-regulated A and B and induced C": X is the subject of both
        if subj is None:
            continue
        last = (subj, objs)
        for obj in objs:
            if (obj.kb_id_ == subj.kb_id_ or _clause_break(doc, subj, obj)
                    or _in_brackets(doc, subj, obj)):
                continue
            s, o = mention(subj), mention(obj)
            predicate, sign = trig.predicate, trig.sign
            if sign and _perturbed(doc, subj, sent):
                # "knockdown of NOX4 reduced VEGFR2": NOX4 itself raises VEGFR2
                predicate, sign = OPPOSITE.get(predicate, predicate), -sign
            if trig.predicate in UNDIRECTED and (o.id, o.start) < (s.id, s.start):
                s, o = o, s  # one edge per unordered pair
            rels.append(Relation(s, predicate, o, sign, doc[t0:t1 + 1].text,
                                 (sent.start_char, sent.end_char)))
    return rels


def _relation(doc: Doc, sent: Span, x: Span, y: Span, trig: Trigger, t0: int, t1: int) -> Relation:
    """An unsigned relation between two mentions, in a canonical order (one edge per pair)."""
    s, o = mention(x), mention(y)
    if (o.id, o.start) < (s.id, s.start):
        s, o = o, s
    return Relation(s, trig.predicate, o, 0, doc[t0:t1 + 1].text, (sent.start_char, sent.end_char))


OPPOSITE = {"increases": "decreases", "decreases": "increases", "activates": "inhibits",
            "inhibits": "activates", "promotes": "inhibits", "upregulates_expression": "downregulates_expression",
            "downregulates_expression": "upregulates_expression", "recruits": "inhibits"}
_LOSS_BEFORE = frozenset({"knockdown", "silencing", "deletion", "depletion", "deficiency", "loss", "inhibition",
                          "inhibitor", "inhibitors", "blockade", "knockout", "ablation", "suppression",
                          "downregulation", "antagonist", "antagonists", "neutralization"})
_LOSS_AFTER = frozenset({"knockdown", "silencing", "deletion", "depletion", "deficiency", "deficient", "inhibitor",
                         "inhibitors", "knockout", "siRNA", "shRNA", "null", "antagonist", "blockade", "ablation"})


def _perturbed(doc: Doc, ent: Span, sent: Span) -> bool:
    """Is the entity named as lost or blocked ("knockdown of X", "X siRNA", "X-deficient")?"""
    before = [t.lower_ for t in doc[max(sent.start, ent.start - 3):ent.start]]
    if any(w in _LOSS_BEFORE for w in before[-3:]) and (not before or before[-1] in ("of", "-") or
                                                       before[-1] in _LOSS_BEFORE):
        return True
    after = [t.text for t in doc[ent.end:min(sent.end, ent.end + 3)]]
    while after and after[0] in ("-", "/"):
        after = after[1:]
    return bool(after) and (after[0] in _LOSS_AFTER or after[0].lower() in _LOSS_AFTER)


def _in_brackets(doc: Doc, a: Span, b: Span) -> bool:
    """One mention sits inside a bracketed list the other is outside ("proteins (Akt, p38), activation of X").

    A mention alone in brackets — an abbreviation, "(TNF)" — still counts as outside.
    """
    lo, hi = (a, b) if a.start < b.start else (b, a)
    depth = 0
    for t in doc[lo.end:hi.start]:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
            if depth < 0 and not _alone_in_brackets(doc, lo):
                return True
    return depth > 0 and not _alone_in_brackets(doc, hi)


def _alone_in_brackets(doc: Doc, e: Span) -> bool:
    return 0 < e.start and e.end < len(doc) and doc[e.start - 1].text == "(" and doc[e.end].text == ")"


def _clause_break(doc: Doc, a: Span, b: Span) -> bool:
    """A clause boundary ("while", "whereas", ";") between the two mentions."""
    lo, hi = (a, b) if a.start < b.start else (b, a)
    return any(t.lower_ in CLAUSE_BREAKS for t in doc[lo.end:hi.start])


def _coordinated_before(doc: Doc, before: list[Span]) -> list[Span]:
    """The last entity before a passive trigger and those coordinated with it ("A and B were induced")."""
    out = [before[-1]]
    for e in reversed(before[:-1]):
        gap = doc[e.end:out[-1].start]
        if len(gap) > 4 or not gap or any(t.text not in COORD for t in gap):
            break
        out.append(e)
    return out[::-1]


def _objects(doc: Doc, after: list[Span], t1: int, sent_end: int) -> list[Span]:
    """The first entity after the trigger (within reach) and those coordinated with it."""
    first = after[0]
    if first.start - t1 > MAX_GAP:
        return []
    out = [first]
    prev_end = first.end
    for e in after[1:]:
        gap = doc[prev_end:e.start]
        if len(gap) > 4 or any(t.text not in COORD for t in gap):
            break
        out.append(e)
        prev_end = e.end
    return out


def _trim(doc: Doc, sent: Span) -> tuple[int, int]:
    """Character offsets of the sentence without surrounding whitespace."""
    s, e = sent.start_char, sent.end_char
    text = doc_text(doc)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


@Language.component("relations")
def relations(doc: Doc) -> Doc:
    forms = trigger_forms()
    ents = list(doc.ents)
    out: list[Relation] = []
    i = 0
    for sent in sentence_spans(doc):
        sent_ents = []
        while i < len(ents) and ents[i].start < sent.end:
            if ents[i].start >= sent.start:
                sent_ents.append(ents[i])
            i += 1
        for r in sentence_relations(sent, sent_ents, forms):
            r.sentence = _trim(doc, sent)
            out.append(r)
    doc._.relations = out
    return doc

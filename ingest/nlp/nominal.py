"""Associations a sentence states with a noun or a predicate adjective rather than a verb.

The trigger reader (:mod:`ingest.nlp.relations`) needs a verb or a verb phrase between its two
ends. Disc abstracts often say the same thing without one:

- "the (pathological) role of X (and Z) in Y": X associated with Y;
- "the relationship / link between X and Y" (also "a correlation was found between X and Y");
- "X and Y are (two conditions that are) closely related / associated / correlated".

Each gives an unsigned ``associated_with`` (the words say that the two are linked, not how).
"The binding of X to Y (and of Z to W)" gives X *binds* Y.
A study aim ("To explore the relationship between diabetes and IDD", "its role in IDD remains
unknown") is not a finding, and gives nothing. Pairs are checked against the ontology's
literature domain and range like every other reader relation; a pair the trigger reader already
joined in the sentence is left to it. Results are appended to ``doc._.relations`` (before
``negation_hedging`` flags them).

>>> from ingest.nlp.pipeline import default_pipeline
>>> nlp = default_pipeline()
>>> def read(text):
...     return [(r.subject.text, r.predicate, r.object.text) for r in nlp(text)._.relations]
>>> read("This article reviews the pathological role of TNF-α in IDD.")
[('TNF-α', 'associated_with', 'IDD')]
>>> read("Lumbar disc degeneration (LDD) and low back pain (LBP) are two conditions that are closely related.")
[('Lumbar disc degeneration', 'associated_with', 'low back pain')]
>>> read("To explore the relationship between diabetes and intervertebral disc degeneration in mice.")
[]
>>> read("The binding of BACH1 to HMOX1 and of BACH1 to GPX4 was verified using ChIP.")
[('HMOX1', 'binds', 'BACH1'), ('GPX4', 'binds', 'BACH1')]
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.nlp.model import Relation, sentence_spans
from ingest.nlp.relations import BE, Trigger, _objects, _relation, _trim, allowed, mention, trigger_forms

ROLE = frozenset({"role", "roles"})
#: nouns naming a link between two things, read with "between X and Y"
LINK_NOUNS = frozenset({"relationship", "relationships", "relation", "relations", "link", "links", "linkage",
                        "association", "associations", "correlation", "correlations", "connection"})
#: predicate adjectives of a symmetric link ("X and Y are closely related")
LINKED = frozenset({"related", "associated", "correlated", "linked", "interrelated", "connected"})
#: words that make the sentence (up to the trigger) a study aim or an open question, not a finding
AIM_WORDS = frozenset({"explore", "explored", "investigate", "investigated", "examine", "examined", "determine",
                       "evaluate", "assess", "identify", "clarify", "study", "elucidate", "analyze", "analyse",
                       "analyzed", "analysed", "studied", "investigates", "explores", "examines", "evaluated",
                       "assessed", "evaluates", "assesses", "analyzes", "aim", "aimed", "aims", "purpose", "objective", "whether",
                       "unclear", "unknown", "elusive", "remains", "remain", "understand", "understanding", "reviews", "review"})
#: what may stand between the second end and the "are" of "X and Y are ... related"
_GAP_WORDS = frozenset({")", "(", "are", "were", "is", "was", "be", "been", "two", "conditions", "diseases",
                        "factors", "processes", "that", "which", "closely", "significantly", "strongly",
                        "highly", "positively", "negatively", "tightly", "intimately", "also", "both"})
_ASSOCIATION = Trigger("associated_with", 0)
_BINDING = Trigger("binds", 0)
#: the aim words of a review's own sentence ("This article reviews the role of X in Y") are its topic,
#: not an open question: a review names what the literature holds
_TOPIC_WORDS = frozenset({"reviews", "review"})


def _aim(doc: Doc, sent: Span, upto: int, topic_ok: bool = False) -> bool:
    """Whether the words of the sentence before token ``upto`` make it an aim or open question."""
    words = {t.lower_ for t in doc[sent.start:upto]}
    if topic_ok:
        words -= _TOPIC_WORDS
    return bool(words & AIM_WORDS) or doc[sent.start].lower_ == "to"


def _listed(doc: Doc, ents: list[Span], first: int) -> list[Span]:
    """``ents[first]`` and the entities coordinated with it ("IL-6 and TMEM100")."""
    out = [ents[first]]
    for e in ents[first + 1:]:
        gap = [t.lower_ for t in doc[out[-1].end:e.start]]
        if not gap or len(gap) > 3 or any(w not in (",", "and", "or") for w in gap):
            break
        out.append(e)
    return out


def _without_brackets(tokens: list[str]) -> list[str]:
    """The tokens outside round brackets ("(LDD) and" -> "and")."""
    out, depth = [], 0
    for w in tokens:
        if w == "(":
            depth += 1
        elif w == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(w)
    return out


def _named_first(doc: Doc, ents: list[Span], j: int) -> int:
    """Index of the first mention of the concept ``ents[j]`` names when it is written twice in a
    row, once in brackets ("low back pain (LBP)")."""
    while j > 0 and ents[j - 1].kb_id_ == ents[j].kb_id_ and all(
            t.text in "()" for t in doc[ents[j - 1].end:ents[j].start]):
        j -= 1
    return j


def _role_of(doc: Doc, sent: Span, ents: list[Span], forms) -> list[tuple[Span, Span, int, int]]:
    """(x, y, trigger start, trigger end) of "the role of X in Y"."""
    out = []
    for i in range(sent.start, sent.end - 2):
        if doc[i].lower_ not in ROLE or doc[i + 1].lower_ != "of" or _aim(doc, sent, i, topic_ok=True):
            continue
        first = next((k for k, e in enumerate(ents) if i + 2 <= e.start <= i + 3), None)
        if first is None or any(t.lower_ not in ("the",) for t in doc[i + 2:ents[first].start]):
            continue
        xs = _listed(doc, ents, first)
        in_i = xs[-1].end
        if in_i >= sent.end or doc[in_i].lower_ != "in":
            continue
        ys = _objects(doc, [e for e in ents if e.start > in_i], in_i, sent.end, forms, sent_start=sent.start)
        out.extend((x, y, i, in_i) for x in xs for y in ys[:1])
    return out


def _between(doc: Doc, sent: Span, ents: list[Span], forms) -> list[tuple[Span, Span, int, int]]:
    """(x, y, ...) of "the relationship between X and Y", "a correlation was found between X and Y"
    (a link noun right before "between" that the trigger reader knows is its own)."""
    out = []
    for i in range(sent.start, sent.end - 3):
        if doc[i].lower_ != "between":
            continue
        k = next((j for j in range(i - 1, max(sent.start, i - 5) - 1, -1) if doc[j].lower_ in LINK_NOUNS), None)
        if k is None or (k == i - 1 and doc[k].lower_ in forms) or _aim(doc, sent, k):
            continue
        after = [e for e in ents if e.start > i]
        if len(after) < 2 or after[0].start - i > 3:
            continue
        x, y = after[0], after[1]
        if _without_brackets([t.lower_ for t in doc[x.end:y.start]]) in (["and"], ["and", "the"]):
            out.append((x, y, k, i))
    return out


def _linked_pair(doc: Doc, sent: Span, ents: list[Span]) -> list[tuple[Span, Span, int, int]]:
    """(x, y, ...) of "X and Y are (closely) related" with nothing linked after the adjective."""
    out = []
    for i in range(sent.start + 2, sent.end):
        if doc[i].lower_ not in LINKED:
            continue
        nxt = doc[i + 1].lower_ if i + 1 < sent.end else "."
        if nxt in ("to", "with", "by", "-") or not any(doc[j].lower_ in BE for j in range(max(sent.start, i - 3), i)):
            continue
        before = [e for e in ents if e.end <= i]
        if len(before) < 2:
            continue
        gap = [t.lower_ for t in doc[before[-1].end:i]]
        if len(gap) > 8 or any(w not in _GAP_WORDS and w not in BE for w in gap):
            continue
        j = _named_first(doc, before, len(before) - 1)
        if j == 0:
            continue
        x, y = before[_named_first(doc, before, j - 1)], before[j]
        if x.kb_id_ == y.kb_id_ or _aim(doc, sent, x.start):
            continue
        inner = [t.lower_ for t in doc[x.end:y.start]]
        if _without_brackets(inner) not in (["and"], ["and", "the"]):
            continue
        out.append((x, y, i, i))
    return out


def _binding_of(doc: Doc, sent: Span, ents: list[Span]) -> list[tuple[Span, Span, int, int]]:
    """(x, y, ...) of "the binding of X to / with Y", repeated by "and of Z to W"."""
    out = []
    for i in range(sent.start, sent.end - 3):
        if doc[i].lower_ != "binding" or doc[i + 1].lower_ != "of" or _aim(doc, sent, i):
            continue
        k = i + 1  # the "of" before X
        while k < sent.end:
            x = next((e for e in ents if e.start in (k + 1, k + 2)), None)
            if x is None or x.end >= sent.end or doc[x.end].lower_ not in ("to", "with"):
                break
            y = next((e for e in ents if e.start in (x.end + 1, x.end + 2)), None)
            if y is None:
                break
            out.append((x, y, i, x.end))
            if [t.lower_ for t in doc[y.end:y.end + 2]] != ["and", "of"]:
                break
            k = y.end + 1
    return out


#: nouns naming a chemical by what it does to its target ("the ERβ-specific agonist DPN"): the sign
_AGENT_NOUNS = {"agonist": 1, "agonists": 1, "activator": 1, "activators": 1, "antagonist": -1,
                "antagonists": -1, "inhibitor": -1, "inhibitors": -1, "blocker": -1, "blockers": -1}
_SELECTIVE = frozenset({"specific", "selective", "potent", "-", "receptor", "pathway", "signaling", "signalling",
                        "kinase", "novel", "small-molecule", "small", "molecule", "competitive", "allosteric"})
_TARGETS = frozenset({"gene", "gene_group"})


def _agonist_of(doc: Doc, sent: Span, ents: list[Span]) -> list[tuple[Span, Span, Trigger]]:
    """(chemical, target, trigger) of "the ERβ-specific agonist diarylpropionitrile" and "rapamycin,
    an mTOR inhibitor": an agonist or activator *activates* its target, an antagonist, inhibitor or
    blocker *inhibits* it. The target is a gene or gene group, the agent a chemical; only
    qualifiers ("-specific", "selective", "receptor") may stand between the target and the noun.

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("Mice got the ERβ-specific agonist diarylpropionitrile (DPN), and rapamycin, an mTOR inhibitor.")
    >>> [(r.subject.text, r.predicate, r.object.text, r.sign) for r in d._.relations]
    [('diarylpropionitrile', 'activates', 'ERβ', 1), ('rapamycin', 'inhibits', 'mTOR', -1)]
    """
    out = []
    for i in range(sent.start + 1, sent.end):
        sign = _AGENT_NOUNS.get(doc[i].lower_)
        if sign is None:
            continue
        target, j = None, i - 1
        while j >= sent.start:  # the nearest target before the noun, only qualifiers between
            target = next((e for e in ents if e.end == j + 1 and e.label_ in _TARGETS), None)
            if target is not None or doc[j].lower_ not in _SELECTIVE:
                break
            j -= 1
        if target is None:
            continue
        trig = Trigger("activates" if sign > 0 else "inhibits", sign)
        after = next((e for e in ents if e.start == i + 1), None)  # "the X agonist DPN"
        if after is not None and after.label_ == "chemical":
            out.append((after, target, trig))
            continue
        k = target.start - 1  # "rapamycin, an mTOR inhibitor"
        while k > sent.start and doc[k].lower_ in ("a", "an", "the", "specific", "selective", "potent"):
            k -= 1
        if k > sent.start and doc[k].text == ",":
            agent = next((e for e in ents if e.end == k and e.label_ == "chemical"), None)
            if agent is None and doc[k - 1].text == ")":  # "rapamycin (RAPA), an mTOR inhibitor"
                agent = next((e for e in ents if e.end < k - 1 and doc[e.end].text == "(" and e.label_ == "chemical"
                              and e.end + 3 == k), None)
            if agent is not None:
                out.append((agent, target, trig))
    return out


def nominal_relations(sent: Span, ents: list[Span], taken: set[frozenset]) -> list[Relation]:
    """The associations and bindings of one sentence the patterns give, minus the pairs in ``taken``."""
    if len(ents) < 2:
        return []
    doc = sent.doc
    forms = trigger_forms()
    out = []
    found = [(*m, _ASSOCIATION) for m in (*_role_of(doc, sent, ents, forms), *_between(doc, sent, ents, forms),
                                          *_linked_pair(doc, sent, ents))]
    found += [(*m, _BINDING) for m in _binding_of(doc, sent, ents)]
    for chem, target, trig in _agonist_of(doc, sent, ents):
        pair = frozenset((chem.kb_id_, target.kb_id_))
        if len(pair) < 2 or pair in taken or not allowed(trig.predicate, chem.label_, target.label_):
            continue
        taken.add(pair)
        out.append(Relation(mention(chem), trig.predicate, mention(target), trig.sign,
                            "agonist" if trig.sign > 0 else "inhibitor", _trim(doc, sent)))
    for x, y, t0, t1, trig in found:
        pair = frozenset((x.kb_id_, y.kb_id_))
        if len(pair) < 2 or pair in taken or not allowed(trig.predicate, x.label_, y.label_):
            continue
        taken.add(pair)
        out.append(_relation(doc, sent, x, y, trig, t0, t1))
    return out


@Language.component("nominal_relations")
def nominal_relations_component(doc: Doc) -> Doc:
    """Append the sentence's noun-stated associations to ``doc._.relations``."""
    rels = list(doc._.relations or [])
    ents = list(doc.ents)
    for sent in sentence_spans(doc):
        s, e = _trim(doc, sent)
        taken = {frozenset((r.subject.id, r.object.id)) for r in rels if r.sentence == (s, e)}
        sent_ents = [x for x in ents if x.start >= sent.start and x.end <= sent.end]
        for r in nominal_relations(sent, sent_ents, taken):
            r.sentence = (s, e)
            rels.append(r)
    doc._.relations = rels
    return doc

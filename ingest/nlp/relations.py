"""Relations between entity pairs of one sentence, from a trigger lexicon.

The subject is the nearest entity before the trigger, the object the nearest after it (plus
entities coordinated with it: "A and B"); a passive ("X was induced by Y", "X induced by Y")
or a nominal ("activation of X by Y") flips the direction. Predicates and signs come from
``relation_triggers`` in ``ontology/lexicons.yaml`` (with association cues: "associated",
"correlated", "interaction between X and Y", "complex with"). No pair is taken across a clause
boundary ("while", "whereas", ";") or into/out of a bracketed list, nor from comparisons
("lower MMP3", "with decreased autophagy"), nor from a passive without an agent ("BACH1 was
enhanced in IDD"), nor between two mentions of one gene.

Sentence structure the rules read:

- "X-induced Y": X increases Y, X and Y adjacent to the hyphenated trigger; as the object of
  another trigger ("ADR inhibits TNF-induced apoptosis") the head Y is the object, not X.
- "A ameliorates B by inhibiting C": the gerund's subject is A, the clause's subject.
- "induced resorption of the herniated NP": the object is what the head noun names, not the
  noun after "of": a neutral head ("expression of X", "levels of X") keeps X, a loss ("degradation
  of X", "loss of X") flips the sign, any other head ("viability of NPCs") gives no relation.
- Type constraints: a pair is emitted only when its categories fit the predicate's domain/range
  and ``literature_domain``/``literature_range`` (``ontology/predicates.yaml``); a tissue is a
  location, skipped when looking for a subject ("TNF in NP tissue increased MMP3").

Results go to ``doc._.relations``.

>>> from ingest.nlp.pipeline import default_pipeline
>>> doc = default_pipeline()("MMP3 was induced by TNF in NP cells.")
>>> [(r.subject.text, r.predicate, r.object.text, r.sign) for r in doc._.relations]
[('TNF', 'increases', 'MMP3', 1)]
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.nlp.dictionaries import polarity_forms
from ingest.nlp.model import Mention, Relation, doc_text, sentence_spans
from ontology import load_ontology

BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
#: words allowed between coordinated objects ("MMP3, MMP13 and ADAMTS4 expression")
COORD = frozenset({",", "and", "or", "/", "as", "well", "both", "the", "its", "their", "expression",
                   "levels", "level", "mRNA", "protein", "proteins", "production", "secretion", "-",
                   "activity", "genes", "gene"})
UNDIRECTED = frozenset({"binds", "associated_with"})
MAX_GAP = 12  # tokens between an entity and its trigger
APPOSITION_SPAN = 6  # tokens of "X, a natural withanolide," before the mention that ends it
ADJECTIVES = frozenset({"lower", "higher"})  # trigger forms that are mostly adjectives as written
CLAUSE_BREAKS = frozenset({";", "while", "whereas", "but", "although", "however"})
#: a past participle after one of these is an adjective ("with decreased autophagy", "the induced cells")
ADJECTIVAL_BEFORE = frozenset({"with", "and", "or", ",", "of", "the", "a", "an", "in", "to", "for", "from", "(",
                               ":", "than", "as", "showed", "show", "shows", "exhibited", "displayed", "had", "has",
                               "have", "revealed", "demonstrated", "under", "on", "at", "whose", "such", "by",
                               "caused", "causing", "cause", "causes", "suggesting", "indicating", "accompanied",
                               "exhibit", "exhibits", "display", "displays", "observed", "noted", "resulted", "led"})
#: a gerund after one of these takes the clause's subject ("A ameliorates B by inhibiting C")
GERUND_AFTER = frozenset({"by", "through", "via", "thereby", "thus"})
#: a mention after one of these is not the agent of the verb that follows ("treatments for IVDD relieve")
NOT_AGENT = frozenset({"for", "against", "to", "than", "versus", "vs", "with", "without", "like", "unlike"})
#: a mention after one of these is a location, not an agent ("TNF in NP cells increased MMP3")
LOCATION = frozenset({"in", "within", "into", "at", "on", "from", "across", "throughout", "among"})
_MODIFIERS = frozenset({"the", "a", "an", "human", "rat", "rats", "mouse", "murine", "degenerated", "degenerative",
                        "cultured", "primary", "normal", "healthy", "herniated"})
#: head nouns between a trigger and "of X" that keep X as the object ("increased expression of X")
NEUTRAL_HEADS = frozenset("""expression expressions production secretion release level levels activity activities
activation phosphorylation synthesis transcription translation accumulation content contents abundance
concentration concentrations amount amounts number numbers infiltration recruitment migration influx
proliferation upregulation up-regulation overexpression generation formation deposition signaling signalling
function functions mrna protein proteins translocation nuclear progression development onset severity occurrence
incidence symptoms symptom disorders signs worsening exacerbation aggravation pathogenesis pathology etiology
aetiology pathophysiology presence process processes degree extent""".split())
#: head nouns that turn the object's sign ("induced degradation of aggrecan": aggrecan decreases)
LOSS_HEADS = frozenset("""degradation loss breakdown destruction depletion reduction decrease decline
inhibition suppression downregulation down-regulation deficiency cleavage catabolism""".split())
#: change nouns whose object follows "in" ("caused a decrease in aggrecan"): +1 rises, -1 falls
_CHANGE_HEADS = {"increase": 1, "increases": 1, "elevation": 1, "rise": 1, "upregulation": 1, "up-regulation": 1,
                 "decrease": -1, "decreases": -1, "reduction": -1, "decline": -1, "loss": -1, "downregulation": -1,
                 "down-regulation": -1}


def _in_after_change(doc: Doc, i: int, lo: int) -> bool:
    """Token ``i`` is the "in" of "a decrease in X" (a change noun before it, at or after ``lo``)."""
    return i > lo and doc[i].lower_ == "in" and doc[i - 1].lower_ in _CHANGE_HEADS


#: a word after an object that makes it part of a larger noun ("inflammation model", "IL-6 ratio")
_MODEL_WORDS = frozenset({"model", "models", "group", "groups", "ratio", "score", "scores", "index"})
#: triggers joined to an entity by a hyphen ("TNF-induced"): the first object must be this close
HYPHEN_GAP = 3


@dataclass(frozen=True)
class Trigger:
    predicate: str
    sign: int
    object_after: tuple[str, ...] = ()  # "protects NPCs against X": the object follows one of these
    phrase: bool = False  # a multi-word trigger ("plays a role in"): always read as an active verb
    object_dependent: bool = False  # "improves": raises a desirable phenotype, lowers any other


@lru_cache(maxsize=1)
def trigger_forms() -> dict[str, Trigger]:
    """Lower-cased word form -> Trigger, expanded from the stems with the listed suffixes.

    ``verb_only`` entries take no nominal suffixes ("contribution of X to Y" is not "X contributes").
    """
    lex = load_ontology().lexicons
    suffixes = lex.get("trigger_suffixes", [""])
    out: dict[str, Trigger] = {}
    for t in lex.get("relation_triggers", ()):
        stem = t["stem"].lower()
        trig = Trigger(t["predicate"], int(t["sign"]), tuple(t.get("object_after") or ()),
                       object_dependent=bool(t.get("object_dependent")))
        sufs = [x for x in suffixes if not (t.get("verb_only") and x.startswith("ion"))]
        bases = [stem, stem[:-1]] if stem.endswith("e") else [stem]
        for base in bases:
            for suf in sufs:
                if base == stem or suf:
                    out.setdefault(base + suf, trig)
    return out


@lru_cache(maxsize=1)
def _ontology():
    return load_ontology()


def allowed(predicate: str, subject_category: str, object_category: str) -> bool:
    """Whether a relation read from text may join these categories (``ontology/predicates.yaml``).

    >>> allowed("degrades", "tissue", "tissue"), allowed("degrades", "gene", "tissue")
    (False, True)
    """
    return _ontology().check_literature_edge(subject_category, predicate, object_category) is None


def mention(span: Span) -> Mention:
    return Mention(span.text, span.start_char, span.end_char, span.kb_id_, span.label_)


@lru_cache(maxsize=1)
def trigger_phrases() -> tuple[tuple[tuple[tuple[frozenset, bool], ...], Trigger], ...]:
    """``relation_phrases`` of the lexicon: (slots, trigger); a slot is (words or empty = any, optional)."""
    out = []
    for ph in load_ontology().lexicons.get("relation_phrases", ()):
        slots = []
        for slot in ph["words"].split():
            optional = slot.startswith("?")
            slot = slot.lstrip("?")
            slots.append((frozenset() if slot == "*" else frozenset(slot.lower().split("|")), optional))
        out.append((tuple(slots), Trigger(ph["predicate"], int(ph["sign"]), (), True)))
    return tuple(out)


def _match_phrase(lows: list[str], i: int, slots) -> int | None:
    """Index (into ``lows``) of the last token of a phrase matched from ``i``, or None."""
    if not slots:
        return i - 1
    (words, optional), rest = slots[0], slots[1:]
    if i < len(lows) and (not words or lows[i] in words) and lows[i].isalpha():
        hit = _match_phrase(lows, i + 1, rest)
        if hit is not None:
            return hit
    if optional:
        return _match_phrase(lows, i, rest)
    return None


@lru_cache(maxsize=1)
def _phrase_index() -> dict[str, tuple]:
    """First word -> the phrases starting with it, and the words each phrase needs."""
    out: dict[str, list] = {}
    for slots, trig in trigger_phrases():
        needed = frozenset().union(*(w for w, opt in slots[1:] if w and not opt))
        for w in slots[0][0]:
            out.setdefault(w, []).append((slots, trig, needed))
    return {k: tuple(v) for k, v in out.items()}


def _find_triggers(sent: Span, forms: dict[str, Trigger]) -> list[tuple[int, int, Trigger]]:
    """(first token, last token, trigger) in the sentence; "up-regulated" is three tokens,
    "plays a key role in" five."""
    base = sent.start
    lows = [t.lower_ for t in sent]
    present = set(lows)
    index = _phrase_index()
    out: list[tuple[int, int, Trigger]] = []
    covered = -1  # last token of a phrase trigger
    for k, low in enumerate(lows):
        if k <= covered:
            continue
        cands = index.get(low)
        if cands:
            for slots, ptrig, needed in cands:
                if needed and not needed & present:
                    continue  # a word the phrase needs is not in the sentence
                j = _match_phrase(lows, k, slots)
                if j is not None and j > k:
                    out.append((base + k, base + j, ptrig))
                    covered = j
                    break
            if covered >= k:
                continue
        trig = forms.get(low)
        if trig is None:
            continue
        if k >= 2 and lows[k - 1] == "-" and lows[k - 2] in ("up", "down"):
            out.append((base + k - 2, base + k, forms.get(lows[k - 2] + "-" + low, trig)))
        else:
            out.append((base + k, base + k, trig))
    return out


def _prev_word(doc: Doc, t0: int, sent_start: int, skip: Collection[str] | None = None) -> str:
    """The lower-cased token before ``t0``, skipping "-ly" adverbs ("significantly increased") and
    the words of ``skip`` (by default :data:`_ADVERBS`; "thus" is one, and also a gerund's cue)."""
    skip = _ADVERBS if skip is None else skip
    i = t0 - 1
    while i >= sent_start and ((doc[i].lower_.endswith("ly") and doc[i].is_alpha) or doc[i].lower_ in skip):
        i -= 1
    return doc[i].lower_ if i >= sent_start else ""


_ADVERBS = frozenset({"further", "also", "then", "thus", "thereby", "still", "even", "not", "both", "all", "often"})


_CAUSAL = {"cause": "", "causes": "", "caused": "", "causing": "", "to": "lead leads led leading",
           "in": "result results resulted resulting"}


def _causal_verb(doc: Doc, t0: int, sent_start: int) -> int | None:
    """Start of a causal verb right before a participle: "causes increased Y", "led to reduced Y"."""
    i = t0 - 1
    while i >= sent_start and doc[i].lower_.endswith("ly") and doc[i].is_alpha:
        i -= 1
    if i < sent_start or doc[i].lower_ not in _CAUSAL:
        return None
    need = _CAUSAL[doc[i].lower_]
    if not need:
        return i
    if i - 1 >= sent_start and doc[i - 1].lower_ in need.split():
        return i - 1
    return None


def _hyphen_attached(doc: Doc, t0: int, sent_start: int) -> bool:
    """The trigger is glued to the word before by a hyphen: "TNF-induced", "LPS-stimulated"."""
    return (t0 - 1 > sent_start and doc[t0 - 1].text == "-" and not doc[t0 - 2].whitespace_
            and not doc[t0 - 1].whitespace_)


def _is_modifier(doc: Doc, e: Span, forms: dict[str, Trigger], sent_end: int) -> bool:
    """``e`` modifies the noun after it: "TNF-α-induced apoptosis", "NPCs senescence" (handled by caller)."""
    j = e.end
    return (j + 1 < sent_end and doc[j].text == "-" and not doc[j].whitespace_
            and doc[j + 1].lower_ in forms)


def _location(doc: Doc, e: Span, sent_start: int) -> bool:
    """``e`` follows a location preposition ("in NP cells", "in the degenerated human IVD")."""
    i = e.start - 1
    while i >= sent_start and doc[i].lower_ in _MODIFIERS:
        i -= 1
    if i >= sent_start and _in_after_change(doc, i, sent_start):
        return False  # "an increase in MMP3": what changes, not a place
    return i >= sent_start and doc[i].lower_ in LOCATION


def _head_factor(doc: Doc, lo: int, obj: Span) -> int | None:
    """How the head noun between a trigger (ending before ``lo``) and ``obj`` turns the object.

    No "of" between them: 1. "<neutral head> of X" ("expression of X"): 1. "<loss> of X"
    ("degradation of X"): -1. Any other head ("viability of NPCs"): None (no relation).
    """
    ofs = [i for i in range(lo, obj.start) if doc[i].lower_ == "of" or _in_after_change(doc, i, lo)]
    if not ofs:
        return 1
    i = ofs[-1] - 1
    while i >= lo and doc[i].lower_ in ("the", "a", "an", "-"):
        i -= 1
    if i < lo:
        # "activation of X", "a cause of X": the trigger heads the noun phrase; X must follow "of"
        return 1 if obj.start - ofs[-1] <= 4 else None
    head = _head_word(doc, i, lo)
    if head in NEUTRAL_HEADS:
        return 1
    if head in LOSS_HEADS:
        return -1
    return _CHANGE_HEADS.get(head)  # "caused an increase in X" / "led to a decline in X"


#: heads that keep the mention after "of" as the agent ("combination of 5-FU and X induced Y")
AGENT_HEADS = frozenset("""combination treatment administration supplementation exposure injection application
addition presence use delivery transplantation implantation infusion stimulation pretreatment co-treatment
overexpression expression activation levels level""".split())


def _head_word(doc: Doc, i: int, lo: int) -> str:
    """The head noun ending at token ``i`` ("up-regulation" is three tokens)."""
    w = doc[i].lower_
    if i - 2 >= lo and doc[i - 1].text == "-" and doc[i - 2].lower_ in ("up", "down", "co", "pre"):
        return f"{doc[i - 2].lower_}-{w}"
    return w


def _head_before(doc: Doc, e: Span, sent_start: int) -> int | None:
    """The same for a mention named before its trigger: "Degradation of aggrecan was induced by X"."""
    i = e.start - 1
    while i >= sent_start and doc[i].lower_ in ("the", "a", "an"):
        i -= 1
    if i < sent_start or doc[i].lower_ != "of":
        return 1
    i -= 1
    while i >= sent_start and doc[i].lower_ in ("the", "a", "an", "-"):
        i -= 1
    if i < sent_start:
        return 1
    head = _head_word(doc, i, sent_start)
    return 1 if head in NEUTRAL_HEADS or head in AGENT_HEADS else -1 if head in LOSS_HEADS else None


#: change nouns without a direction: the mention after "of" is still associated ("the change of X")
_UNSIGNED_CHANGE = frozenset({"change", "changes", "alteration", "alterations"})


def _head_word_before(doc: Doc, e: Span, sent_start: int) -> str:
    """The noun heading "<head> of (the) e", or "" when ``e`` follows no "of"."""
    i = e.start - 1
    while i >= sent_start and doc[i].lower_ in ("the", "a", "an"):
        i -= 1
    if i - 1 < sent_start or doc[i].lower_ != "of":
        return ""
    return _head_word(doc, i - 1, sent_start)


def _appositive_head(doc: Doc, before: list[Span], t0: int, sent_start: int) -> Span | None:
    """The mention an apposition right before the trigger describes ("PA, a natural withanolide,
    relieved IVDD": PA): the apposition opens with a comma and a determiner, and a comma (then only
    adverbs) closes it before the trigger.

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> [(r.subject.text, r.object.text) for r in default_pipeline()(
    ...     "Limonin, a natural limonoid, delayed IDD.")._.relations]
    [('Limonin', 'IDD')]
    """
    j = t0 - 1
    while j > sent_start and doc[j].lower_.endswith("ly") and doc[j].is_alpha:
        j -= 1
    if j <= sent_start or doc[j].text != ",":
        return None
    c = j - 1
    while c >= max(sent_start, j - APPOSITION_SPAN) and doc[c].text != ",":
        c -= 1
    if c < sent_start or doc[c].text != "," or doc[c + 1].lower_ not in ("a", "an", "the"):
        return None
    return next((h for h in before if h.end == c), None)


_COPULA = BE - {"be", "been", "being"}  # the finite forms: "the cause of X is Y"


def _clause_opening(doc: Doc, sent_start: int, t0: int) -> int:
    """Where the clause holding ``t0`` opens: the sentence start, or the token after the last
    ", and" / ", but" / ";" before ``t0`` ("…, and the leading cause of LBP is IDD")."""
    for i in range(t0 - 1, sent_start, -1):
        if doc[i].text == ";":
            return i + 1
        if doc[i].lower_ in ("and", "but") and doc[i - 1].text == ",":
            return i + 1
    return sent_start


def _inverted_cause(doc: Doc, sent: Span, before: list[Span], after: list[Span], t0: int,
                    t1: int) -> tuple[Span, Span] | None:
    """(cause, effect) of "The most common cause of X is Y" (Y increases X): the noun phrase opens
    the sentence, names no mention before "cause", and the copula follows X.

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> [(r.subject.text, r.predicate, r.object.text) for r in default_pipeline()(
    ...     "The most common cause of sciatica is lumbar disc herniation.")._.relations]
    [('lumbar disc herniation', 'increases', 'sciatica')]
    >>> [(r.subject.text, r.object.text) for r in default_pipeline()(
    ...     "Low back pain (LBP) is common, and the leading cause of LBP is disc degeneration.")._.relations]
    [('disc degeneration', 'LBP')]
    """
    if doc[t1].lower_ not in ("cause", "causes") or t1 + 1 >= sent.end or doc[t1 + 1].lower_ != "of" or not after:
        return None
    start = _clause_opening(doc, sent.start, t0)
    if t0 - start > 5 or any(e.end > start for e in before):
        return None
    x = after[0]
    if x.start - t1 > 3 or x.end >= sent.end or doc[x.end].lower_ not in _COPULA:
        return None
    y = next((e for e in after[1:] if e.start - x.end <= 2), None)
    return (y, x) if y is not None else None


def _subject_before(doc: Doc, before: list[Span], t0: int, sent_start: int) -> Span | None:
    """The nearest mention before the trigger that can act: not a tissue, not a location (the head
    of an apposition rather than the apposition)."""
    head = _appositive_head(doc, before, t0, sent_start)
    if head is not None:
        before = [e for e in before if e.end <= head.end]
    relative, antecedent = _relative_antecedent(doc, before, t0, sent_start)
    if relative:  # ", which results in Y": the mention before the comma, or none (not an earlier one)
        return antecedent
    limit = t0  # the gap is counted from the trigger, or from a with-phrase passed over
    for e in reversed(before):
        if limit - e.end > MAX_GAP:
            return None
        if any(t.lower_ in CLAUSE_BREAKS for t in doc[e.end:t0]):
            return None
        if e.label_ == "tissue" or _location(doc, e, sent_start):
            continue
        k = _with_phrase(doc, e, sent_start)
        if k is not None and (doc[k].lower_ == "without" or doc[k - 1].lower_ in _COMBINED):
            # "laminectomy without (formal) discectomy was associated with": not the discectomy;
            # "laminectomy in conjunction with fusion was": the laminectomy, which the fusion joins
            limit = k
            continue
        if e.end < t0 and doc[e.end].lower_ in _HEADED_BY:
            return None  # "senescence genes ... leading to IDD": the agent is the genes, not senescence
        if _gerund_object(doc, e, sent_start):
            return None  # "relieving a patient's pain cannot inhibit IDD": the agent is the action, not pain
        i = e.start - 1
        while i >= sent_start and doc[i].lower_ in _MODIFIERS:
            i -= 1
        if i >= sent_start and doc[i].lower_ in NOT_AGENT:
            # "treatments for IVDD can relieve pain": IVDD is not the agent ("treatment with X" is);
            # a treatment named right before "for" / "against" is ("conservative treatments for IVDD")
            j = i - 1
            while j >= sent_start and doc[j].lower_ in ("the", "a", "an", "-"):
                j -= 1
            if not (j >= sent_start and _head_word(doc, j, sent_start) in AGENT_HEADS):
                treated = next((x for x in reversed(before) if x.end == i), None)
                if (treated is not None and doc[i].lower_ in _TREATS
                        and treated.label_ in ("intervention", "chemical")):
                    return treated
                return None
        return e
    return None


#: words before "with" that join a second treatment to the first ("in conjunction with", "combined with")
_COMBINED = frozenset({"conjunction", "combined", "combination", "together", "along", "associated", "plus"})


def _with_phrase(doc: Doc, e: Span, sent_start: int) -> int | None:
    """The "with" / "without" whose phrase ``e`` ends (at most three lower-case words between), or None.

    >>> import spacy
    >>> doc = spacy.blank("en")("Laminectomy without formal thoracic discectomy was done")
    >>> _with_phrase(doc, doc[4:5], 0), _with_phrase(doc, doc[0:1], 0)
    (1, None)
    """
    for k in range(e.start - 1, max(sent_start, e.start - 5) - 1, -1):
        w = doc[k].lower_
        if w in ("with", "without"):
            return k if k > sent_start else None
        if not (doc[k].is_alpha and doc[k].is_lower) or w in BE:
            return None
    return None


#: prepositions after a treatment that name what it treats ("conservative treatments for IVDD relieve pain")
_TREATS = frozenset({"for", "against"})

#: quantifiers after which "of" keeps the predicate noun the head ("one of the main causes")
_PARTITIVE = frozenset({"one", "some", "many", "each", "any", "all", "most"})
_PREDICATE_OPENERS = frozenset({"a", "an", "the", "one", "some", "many", "among"})


def _copular_subject(doc: Doc, before: list[Span], t0: int, sent_start: int) -> Span | None:
    """The subject of "X is one of the main diseases causing Y", "X is a key factor promoting Y":
    the participle describes the predicate noun, and the predicate noun is X. The noun phrase
    between the copula and the participle opens with a determiner or quantifier, holds at most
    eight words and no mention, comma or "of" (but "one of"); X ends right before the copula.

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> nlp = default_pipeline()
    >>> [(r.subject.text, r.predicate, r.object.text) for r in nlp(
    ...     "IDD is one of the main diseases causing low back pain.")._.relations]
    [('IDD', 'increases', 'low back pain')]
    >>> nlp("IDD is one of the diseases of patients causing low back pain.")._.relations
    []
    """
    j, n = t0 - 1, 0
    while j > sent_start and doc[j].lower_ not in _COPULA:
        t = doc[j]
        if (n >= 8 or not t.is_alpha or t.lower_ in CLAUSE_BREAKS or t.lower_ in ("that", "which", "who")
                or (t.lower_ == "of" and doc[j - 1].lower_ not in _PARTITIVE)
                or any(e.start <= j < e.end for e in before)):
            return None
        j, n = j - 1, n + 1
    if j <= sent_start or n < 2 or doc[j + 1].lower_ not in _PREDICATE_OPENERS:
        return None
    subj = next((e for e in reversed(before) if e.end <= j), None)
    if subj is None or subj.label_ == "tissue" or any(
            t.text != ")" and not (t.is_alpha and t.lower_.endswith("ly")) for t in doc[subj.end:j]):
        return None
    return subj


#: nouns a mention can modify, making the noun phrase something else ("senescence genes", "IDD patients")
_HEADED_BY = frozenset({"genes", "gene", "markers", "marker", "patients", "patient", "model", "models", "group",
                        "groups", "score", "scores", "grade", "grades"})
#: words that may open a sentence before its subject ("Furthermore, the IL-6 ...")
_OPENERS = frozenset({"furthermore", "moreover", "additionally", "in", "addition", "also", "notably", "importantly",
                      "finally", "thus", "therefore", "hence", "consequently", "similarly", "interestingly", ",",
                      "the", "a", "an", "both", "and"})
#: what may follow a subject before its first verb ("IL-6 expression was", "TNF significantly induced")
_SUBJECT_TAIL = frozenset({"expression", "levels", "level", "mrna", "protein", "activity", "also", "further"})
_FINITE = BE | frozenset({"can", "could", "may", "might", "will", "would", "has", "have", "had", "not"})


def _sentence_subject(doc: Doc, sent: Span, before: list[Span], t0: int) -> Span | None:
    """The subject of a sentence whose second verb phrase is the trigger's ("IL-6 is highly expressed
    in NP and is closely related to IDD"): the first mention, at the start of the sentence (after
    openers only), followed by a finite verb, with no clause break up to the trigger.

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("TNF is highly expressed in NP cells and is closely related to IDD.")
    >>> [(r.subject.text, r.predicate, r.object.text) for r in d._.relations]
    [('TNF', 'associated_with', 'IDD')]
    """
    if not before:
        return None
    e = before[0]
    toks = doc[sent.start:e.start]
    colon = next((k for k, t in enumerate(toks) if t.text == ":"), None)
    if colon is not None and all(t.is_upper for t in toks[:colon]):
        toks = toks[colon + 1:]  # "CONCLUSIONS: PA exhibited …": a section heading opens the sentence
    lead = [t.lower_ for t in toks]
    if "that" in lead:  # "studies found that IL-6 is ...": the clause after the complementizer
        lead = lead[len(lead) - lead[::-1].index("that"):]
    if e.label_ == "tissue" or any(w not in _OPENERS for w in lead):
        return None
    j = e.end
    if j < t0 and doc[j].text == "(":  # "interleukin-6 (IL-6) is"
        j = next((k + 1 for k in range(j, min(j + 6, t0)) if doc[k].text == ")"), j)
    while j < t0 and (doc[j].lower_ in _SUBJECT_TAIL or (doc[j].lower_.endswith("ly") and doc[j].is_alpha)):
        j += 1
    w = doc[j].lower_ if j < t0 else ""
    if not (w in _FINITE or (w.endswith("ed") and w.isalpha()) or (w.endswith("s") and w.isalpha() and len(w) > 3)):
        return None
    if any(t.lower_ in CLAUSE_BREAKS or t.lower_ in ("which", "that", "who", "whose") for t in doc[e.end:t0]):
        return None
    return e


#: categories that act through a gerund of their own sentence ("X is protective by inhibiting Y")
_ACTORS = frozenset({"chemical", "intervention", "gene", "gene_group", "mechanical_stimulus"})
#: what may stand between "which" and its verb ("which can further induce")
_RELATIVE_FILLERS = frozenset({"can", "could", "may", "might", "will", "would", "then", "also", "further", "in",
                               "turn", "subsequently", "eventually", "ultimately", "thereby", "thus"})


def _relative_antecedent(doc: Doc, before: list[Span], t0: int, sent_start: int) -> tuple[bool, Span | None]:
    """(a ", which" opens the trigger's clause, the mention it refers to): the one right before the
    comma, or before a bracketed aside ("discectomy (excision of the herniated disc), which results
    in …"); None when that word is no mention the reader knows, a tissue or a place ("related to
    the inflammatory microenvironment, which results in …": not IDD, named earlier).

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("IDD is related to the inflammatory response, which results in matrix degradation.")
    >>> [(r.subject.text, r.object.text) for r in d._.relations][-1]
    ('inflammatory response', 'matrix degradation')
    """
    w = next((j for j in range(t0 - 1, max(sent_start, t0 - 5) - 1, -1) if doc[j].lower_ == "which"), None)
    if w is None or w - 1 < sent_start or doc[w - 1].text != ",":
        return False, None
    if any(t.lower_ not in _RELATIVE_FILLERS and not (t.lower_.endswith("ly") and t.is_alpha) for t in doc[w + 1:t0]):
        return False, None
    end = w - 1
    if end - 1 >= sent_start and doc[end - 1].text == ")":
        depth, k = 0, end - 1
        while k >= sent_start:
            depth += doc[k].text == ")"
            depth -= doc[k].text == "("
            if depth == 0:
                break
            k -= 1
        end = k
    e = next((x for x in reversed(before) if x.end == end), None)
    if e is None or e.label_ == "tissue" or _location(doc, e, sent_start):
        return True, None
    return True, e


_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "this", "these", "that", "those"})
_CLITICS = frozenset({"'s", "’s", "'", "’"})


def _gerund_object(doc: Doc, e: Span, sent_start: int) -> bool:
    """``e`` is the object of a gerund trigger right before it ("relieving a patient's pain").

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> nlp = default_pipeline()
    >>> nlp("Relieving pain did not reduce IDD.")._.relations, nlp("Relieving the rats' pain did not reduce IDD.")._.relations
    ([], [])
    """
    i = e.start - 1
    while i >= sent_start:  # skip determiners and possessors ("a patient's", "the rats'")
        w = doc[i].lower_
        if w in _CLITICS:
            i -= 2
        elif w == "s" and i > sent_start and doc[i - 1].lower_ in _CLITICS:  # "patient ’ s"
            i -= 3
        elif w in _DETERMINERS:
            i -= 1
        else:
            break
    return i >= sent_start and doc[i].lower_.endswith("ing") and doc[i].lower_ in trigger_forms()


def sentence_relations(sent: Span, ents: list[Span], forms: dict[str, Trigger]) -> list[Relation]:
    """Relations in one sentence given its entities (in order)."""
    if len(ents) < 2:
        return []
    doc = sent.doc
    rels: list[Relation] = []
    opposite, desirable = polarity_forms()
    starts = [e.start for e in ents]
    last: tuple[Span, list[Span]] | None = None  # (subject, objects) of the previous trigger
    clause_subject: Span | None = None  # the first subject: a "by V-ing" gerund inherits it
    gerund_subject: Span | None = None
    prev_t1: int | None = None  # last token of the previous trigger
    for t0, t1, trig in _find_triggers(sent, forms):
        if prev_t1 is not None and t0 <= prev_t1:
            continue
        current_prev, prev_t1 = prev_t1, t1
        if any(e.start <= t0 < e.end for e in ents):
            continue  # the trigger word is inside an entity ("TNF-induced apoptosis" term)
        k = bisect_right(starts, t0)
        before = [e for e in ents[:k] if e.end <= t0]
        after = ents[k:]
        word = doc[t1].lower_
        if not after:
            if word.endswith("ed") and any(doc[j].lower_ in BE for j in range(max(sent.start, t0 - 3), t0)):
                rel = _changed_in_disease(doc, sent, before, after, t0, t1, trig)  # "... in the LBP group were increased."
                if rel is not None:
                    rels.append(rel)
            continue
        if (clause_subject is None and word.endswith("ing") and before and before[-1].end == t0
                and before[-1].label_ != "tissue"):
            # "miR-503 regulating the function of NPCs through inhibiting Wnt": miR-503 acts in both,
            # whether or not the first verb makes a relation
            clause_subject = before[-1]
        if word in ADJECTIVES:
            continue  # "lower CCL2 levels": a comparison, not an assertion
        nxt = doc[t1 + 1] if t1 + 1 < sent.end else None
        prev = _prev_word(doc, t0, sent.start)
        inverted = _inverted_cause(doc, sent, before, after, t0, t1)
        if inverted is not None:
            y, x = inverted
            if allowed("increases", y.label_, x.label_):
                rels.append(Relation(mention(y), "increases", mention(x), 1, doc[t0:t1 + 1].text,
                                     (sent.start_char, sent.end_char)))
            continue
        if trig.predicate == "binds" and word.startswith("complex") and (
                nxt is None or nxt.lower_ not in ("with", "between", "formation")):
            continue  # "very complex": an adjective
        if word.endswith(("ing", "ion", "ions")) and trig.predicate in UNDIRECTED and prev not in GERUND_AFTER and (
                nxt is None or nxt.lower_ not in ("of", "to", "with", "between")):
            continue  # "RNA binding protein", "MCM binding": a modifier, not an assertion
        j = t1 + 1
        while j < sent.end and doc[j].lower_.endswith("ly") and doc[j].is_alpha:
            j += 1
        if not trig.phrase and j < sent.end and doc[j].lower_.endswith("ed") and doc[j].lower_ in forms:
            continue  # "causes increased Y": the participle carries the meaning
        by_i = next((j for j in range(t1 + 1, min(t1 + 4, sent.end)) if doc[j].lower_ == "by"), None)
        be_before = any(doc[j].lower_ in BE for j in range(max(sent.start, t0 - 3), t0))
        passive = (word.endswith("ed") or word == "bound") and by_i is not None and (by_i == t1 + 1 or be_before)
        nominal = word.endswith(("ion", "ions", "ment"))
        factor = 1  # -1 when a loss head turns the object ("induced degradation of X")
        # "X up-regulated A and B and induced C", "X promotes repair and reduces pain": X does both
        verb_coordination = last is not None and bool(last[1]) and prev in ("and", "or", ",")
        # "X is expressed in Y and is related to Z": a second verb phrase may take the sentence's subject
        coordinated = _sentence_subject(doc, sent, before, t0) if prev in ("and", "or") else None
        if nominal and nxt is not None and nxt.lower_ == "between" and len(after) >= 2 and trig.sign == 0:
            # "interaction between X and Y", "correlation between X and Y"
            x, y = after[0], after[1]
            if (x.start - t1 <= 3 and all(t.lower_ in ("and", ",", "the") for t in doc[x.end:y.start])
                    and allowed(trig.predicate, x.label_, y.label_)):
                rels.append(_relation(doc, sent, x, y, trig, t0, t1))
            continue
        if nominal and (nxt is None or nxt.lower_ != "of") and not trig.phrase:
            continue  # "STAT3 activation in response to VEGF": no clear agent and patient
        causal = _causal_verb(doc, t0, sent.start) if word.endswith("ed") and not trig.phrase else None
        hyphen = _hyphen_attached(doc, t0, sent.start)
        if trig.phrase or causal is not None:
            # "X plays a key role in Y"; "X causes increased Y", "X led to reduced Y"
            c0 = t0 if causal is None else causal
            if verb_coordination and causal is None:
                subj = last[0]
            elif prev in ("and", "or") and causal is None:
                subj = coordinated
            else:
                subj = _subject_before(doc, [e for e in before if e.end <= c0], c0, sent.start)
                if subj is not None and _head_before(doc, subj, sent.start) is None and not _perturbed(doc, subj, sent):
                    subj = None
            objs, factor = _active_objects(doc, after, t1, sent.end, forms, trig, sent.start)
        elif hyphen:
            # "TNF-α-induced apoptosis": the word before the hyphen acts on the noun after the trigger
            subj = next((e for e in before if e.end == t0 - 1), None)
            objs = _objects(doc, after, t1, sent.end, forms, sent_start=sent.start)
            # the first object must follow the trigger closely; the ones listed with it go too
            # ("TNF-α-induced matrix degradation, ROS production, and pyroptosis")
            objs = objs if objs and objs[0].start - t1 <= HYPHEN_GAP else []
            objs = [e for e in objs if e.label_ not in ("cell_type", "tissue")]  # "LPS-stimulated NPCs": treated cells
        elif nxt is not None and nxt.lower_ == "of" and (nominal or word.endswith("ing")):
            # nominal: "activation of X (by Y)"
            objs = _objects(doc, after, t1, sent.end, forms, sent_start=sent.start)
            agent: list[Span] = []
            by_any = next((j for j in range(t1 + 2, min(t1 + MAX_GAP, sent.end)) if doc[j].lower_ == "by"), None)
            if by_any is not None and not (by_any + 1 < len(doc) and doc[by_any + 1].lower_.endswith("ing")):
                agent = [e for e in after if by_any < e.start <= by_any + 3][:1]
            elif before and t0 == before[-1].end and before[-1].label_ != "tissue":
                agent = before[-1:]
            elif objs and trig.sign and (cond := _condition(doc, sent, after, objs[-1].end)) is not None:
                agent = [cond]  # "the activation of TRPV4 under hydrostatic pressure"
            subj = agent[0] if agent else None
        elif passive:
            subj_list = [e for e in after if e.start > by_i][:1]
            subj = subj_list[0] if subj_list and subj_list[0].start - by_i <= 4 else None
            if subj is not None and any(t.lower_.endswith("ing") and len(t) > 4 for t in doc[by_i + 1:subj.start]):
                subj = None  # "caused by Mycobacterium abscessus necessitating decompression": another clause
            if (by_i + 1 < sent.end and doc[by_i + 1].lower_.endswith("ing")
                    and not (subj is not None and subj.start == by_i + 1)):
                subj = None  # "blocked by inhibiting the RhoA pathway": the agent is an action ("by ageing" is one)
            patients, p0 = _without_location(doc, before, t0)
            objs = (_coordinated_before(doc, patients) if patients and _passive_patient(doc, patients[-1], p0)
                    else [])
            objs = [e for e in objs if e.label_ != "tissue"]
            if objs:
                factor = _head_before(doc, objs[0], sent.start)
                if factor is None and not trig.sign and _head_word_before(doc, objs[0], sent.start) in _UNSIGNED_CHANGE:
                    factor = 1  # "the change of TMEM100 expression mediated by IL-6": an association either way
        elif (word.endswith("ed") and be_before and by_i is None
              and not (trig.predicate in UNDIRECTED and nxt is not None and nxt.lower_ in ("with", "to"))):
            # "BACH1 activity was enhanced in IDD tissues": no agent ("was associated with" is fine), but
            # the change is reported in a disease: an association of the two
            under = _changed_under(doc, sent, before, after, t0, t1, trig)
            if under:
                rels.extend(under)
                continue
            rel = _changed_in_disease(doc, sent, before, after, t0, t1, trig)
            if rel is not None:
                rels.append(rel)
            continue
        elif (word.endswith("ed") and prev in ADJECTIVAL_BEFORE and not verb_coordination
              and _appositive_head(doc, before, t0, sent.start) is None
              and coordinated is None):
            continue  # "with inflammation, decreased autophagy": an adjective (not "X, a Y, decreased Z")
        elif word.endswith("ing"):
            if prev in GERUND_AFTER or _prev_word(doc, t0, sent.start, skip=frozenset()) in GERUND_AFTER:
                subj = clause_subject or (last[0] if last else None)  # "A ameliorates B by inhibiting C"
                if subj is None:  # "metformin is protective by inhibiting apoptosis": the sentence's subject acts
                    opener = _sentence_subject(doc, sent, before, t0)
                    subj = opener if opener is not None and opener.label_ in _ACTORS else None
                gerund_subject = subj
            elif prev in ("and", "or", ",") and gerund_subject is not None:
                subj = gerund_subject  # "... by activating X and suppressing Y"
            elif prev in ("and", "or", ",") and last is not None and clause_subject is last[0]:
                subj = last[0]  # "Stabilized microtubules stimulating Hippo signaling, inhibiting YAP"
            elif before and t0 == before[-1].end:
                subj = before[-1] if before[-1].label_ != "tissue" else None
            else:
                subj = _copular_subject(doc, before, t0, sent.start)  # "X is a disease causing Y"
            objs, factor = _active_objects(doc, after, t1, sent.end, forms, trig, sent.start)
        else:
            if verb_coordination:
                subj = last[0]  # "X up-regulated A and B and induced C": X is the subject of both
            elif prev in ("and", "or"):
                # "X exhibited Y and improved Z": the sentence's subject, if it opens the sentence;
                # "... repair the AF fissure, and increase Y": none (the subject went unrecognised)
                subj = coordinated
            else:
                subj = _subject_before(doc, before, t0, sent.start)
                if (subj is not None and trig.predicate not in UNDIRECTED and _head_before(doc, subj, sent.start) is None
                        and not _perturbed(doc, subj, sent)):
                    # "this model of IVD degeneration was validated to induce pain" (an association
                    # holds whatever governs its first end: "management of LBP associated with X")
                    subj = None
                if (subj is not None and current_prev is not None and current_prev < subj.start
                        and any(t.lower_ in ("and", ",") for t in doc[subj.end:t0])
                        and (last is None or subj not in last[1])):
                    subj = None  # "Gartanin induces autophagy and suppresses X": autophagy is an object
                if (subj is not None and last is not None and subj in last[1]
                        and any(t.lower_ == "and" for t in doc[subj.end:t0])):
                    subj = last[0]
            objs, factor = _active_objects(doc, after, t1, sent.end, forms, trig, sent.start)
        if subj is None or factor is None:
            continue
        if not hyphen:  # "X inhibits TNF-induced apoptosis and improves Y": X, not TNF, improves Y
            last = (subj, objs)
        if clause_subject is None and not word.endswith("ing"):
            clause_subject = subj
        subjects = _coordinated_subjects(doc, before, subj) if not passive else [subj]
        for subj, obj in ((x, o) for x in subjects for o in objs):
            if (obj.kb_id_ == subj.kb_id_ or _clause_break(doc, subj, obj)
                    or _in_brackets(doc, subj, obj)):
                continue
            s, o = mention(subj), mention(obj)
            predicate, sign = trig.predicate, trig.sign
            if trig.object_dependent:
                if obj.label_ != "phenotype":
                    continue  # "improved autophagy", "improved inflammation": the text does not say which way
                predicate, sign = ("increases", 1) if obj.text.lower() in desirable else ("decreases", -1)
            if sign and factor < 0:
                # "induced degradation of aggrecan": aggrecan goes down
                predicate, sign = ("decreases" if sign > 0 else "increases"), -sign
            if sign and _perturbed(doc, subj, sent):
                # "knockdown of NOX4 reduced VEGFR2": NOX4 itself raises VEGFR2
                predicate, sign = OPPOSITE.get(predicate, predicate), -sign
            for end in (subj, obj):
                if sign and end.text.lower() in opposite:
                    # "restored disc height": the entry named is disc height *loss*, which goes down
                    predicate, sign = OPPOSITE.get(predicate, predicate), -sign
            if not allowed(predicate, subj.label_, obj.label_):
                continue  # "cartilage degrades endplate", "IVD degrades MMP3": categories that cannot
            if trig.predicate in UNDIRECTED and (o.id, o.start) < (s.id, s.start):
                s, o = o, s  # one edge per unordered pair
            rels.append(Relation(s, predicate, o, sign, doc[t0:t1 + 1].text,
                                 (sent.start_char, sent.end_char)))
    return rels


def _coordinated_subjects(doc: Doc, before: list[Span], subj: Span) -> list[Span]:
    """The subject and the mentions coordinated right before it ("TNF-α and IL-1β induced MMP3")."""
    if subj not in before:
        return [subj]
    k = before.index(subj)
    out = [subj]
    for e in reversed(before[:k]):
        gap = doc[e.end:out[-1].start]
        if not gap or len(gap) > 3 or any(t.lower_ not in (",", "and", "or", "/") for t in gap) or e.label_ == "tissue":
            break
        out.append(e)
    return out[::-1]


#: what a stimulus follows in "X was upregulated under / upon / following Y"
_CONDITION = frozenset({"under", "upon", "following", "after"})
#: words between that preposition and the stimulus ("under cyclic hydrostatic pressure" is one term)
_CONDITION_WORDS = frozenset({"the", "a", "an", "high", "low", "prolonged", "continuous", "repeated"})
#: what follows a gene given as a condition ("after IL-1β stimulation")
_GIVEN = frozenset({"stimulation", "treatment", "exposure", "challenge", "administration", "induction",
                    "incubation", "addition", "supplementation"})
#: phrases that do the same ("up-regulated in the environment of strain force")
_CONDITION_PHRASES = (["in", "response", "to"], ["in", "the", "environment", "of"], ["in", "an", "environment", "of"])


def _condition(doc: Doc, sent: Span, after: list[Span], lo: int) -> Span | None:
    """The stimulus a condition phrase starting within three words of ``lo`` names ("under hydrostatic
    pressure", "in response to TNF-α treatment", "after IL-1β stimulation"): a mechanical stimulus, a
    chemical, an intervention, or a gene given as a treatment; None when there is none."""
    k = next((j for j in range(lo, min(lo + 3, sent.end)) if doc[j].lower_ in _CONDITION), None)
    if k is None:
        k = next((j + len(ph) - 1 for j in range(lo, min(lo + 3, sent.end)) for ph in _CONDITION_PHRASES
                  if [t.lower_ for t in doc[j:j + len(ph)]] == ph), None)
    if k is None:
        return None
    y = next((e for e in after if e.start > k), None)
    # a gene names a condition only as what was given: "after IL-1β stimulation", "upon TNF-α treatment"
    given = (y is not None and y.label_ in ("gene", "gene_group") and y.end < sent.end
             and doc[y.end].lower_ in _GIVEN)
    if (y is None or (y.label_ not in ("mechanical_stimulus", "chemical", "intervention") and not given)
            or any(t.lower_ not in _CONDITION_WORDS for t in doc[k + 1:y.start])):
        return None
    return y


def _changed_under(doc: Doc, sent: Span, before: list[Span], after: list[Span], t0: int, t1: int,
                   trig: Trigger) -> list[Relation]:
    """"Aggrecan and COL2A1 expression was upregulated under hydrostatic pressure": the stimulus
    raises them (a mechanical stimulus, a chemical or an intervention after under / upon / following /
    after / "in response to" / "in the environment of", within three words of the trigger).

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("MMP3 and MMP13 were significantly upregulated under hydrostatic pressure.")
    >>> [(r.subject.text, r.predicate, r.object.text) for r in d._.relations]
    [('hydrostatic pressure', 'upregulates_expression', 'MMP3'), ('hydrostatic pressure', 'upregulates_expression', 'MMP13')]
    """
    before, p0 = _without_location(doc, before, t0)
    if not trig.sign or not before or not _passive_patient(doc, before[-1], p0):
        return []
    y = _condition(doc, sent, after, t1 + 1)
    if y is None:
        return []
    out = []
    for x in _coordinated_before(doc, before):
        if x.label_ != "tissue" and allowed(trig.predicate, y.label_, x.label_):
            out.append(Relation(mention(y), trig.predicate, mention(x), trig.sign, doc[t0:t1 + 1].text,
                                (sent.start_char, sent.end_char)))
    return out


def _changed_in_disease(doc: Doc, sent: Span, before: list[Span], after: list[Span], t0: int, t1: int,
                        trig: Trigger) -> Relation | None:
    """"BRD9 expression was upregulated as IDD progressed", "X was increased in IDD tissues": X is
    associated with the disease (no direction: the sentence names no cause). So is what the change
    is read as: "dorsal horn SubP was significantly increased, indicating spinal cord sensitization".

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("Dorsal horn SubP was significantly increased, indicating spinal cord sensitization.")
    >>> [(r.subject.text, r.predicate, r.object.text) for r in d._.relations]
    [('SubP', 'associated_with', 'spinal cord sensitization')]
    """
    if not trig.sign or not before:
        return None
    x = before[-1]
    if x.label_ == "phenotype":
        return _changed_in_group(doc, sent, before, t0, t1, trig)
    patients, p0 = _without_location(doc, before, t0)
    x = patients[-1]
    if x.label_ not in ("gene", "gene_group", "chemical") or not _passive_patient(doc, x, p0):
        return None
    read_as = ("phenotype",)
    k = next((j for j in range(t1 + 1, min(t1 + 4, sent.end)) if doc[j].lower_ in ("in", "as", "during", "with")), None)
    if k is None:
        k = next((j for j in range(t1 + 2, min(t1 + 4, sent.end))
                  if doc[j].lower_ in _READ_AS and doc[j - 1].text == ","), None)
        read_as = ("phenotype", "biological_process")
    if k is None:
        return None
    y = next((e for e in after if e.label_ in read_as and e.start - k <= 4), None)
    if y is None or not allowed("associated_with", x.label_, y.label_):
        return None
    s, o = mention(x), mention(y)
    if (o.id, o.start) < (s.id, s.start):
        s, o = o, s
    return Relation(s, "associated_with", o, 0, doc[t0:t1 + 1].text, (sent.start_char, sent.end_char))


#: what a change is read as after a comma ("was increased, indicating spinal cord sensitization")
_READ_AS = frozenset({"indicating", "suggesting", "demonstrating", "reflecting", "signifying"})
#: what may follow a disease before the trigger in "X levels in the DLBP group were increased"
_GROUP_WORDS = frozenset("""group groups model models patients patient mice rats animals tissue tissues disc discs
samples specimens cohort""".split())
#: at most this many tokens between X and "in/of <disease>" ("levels in dorsal horn and dorsal root ganglia of")
_GROUP_GAP = 10


def _changed_in_group(doc: Doc, sent: Span, before: list[Span], t0: int, t1: int, trig: Trigger) -> Relation | None:
    """"Substance P levels in the dorsal horn of the DLBP group were increased": X named before the
    disease group it changed in is associated with the disease (unsigned, as in :func:`_changed_in_disease`).

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("In mice with low back pain (LBP), MMP3 levels in the LBP group were markedly increased.")
    >>> [(r.subject.text, r.predicate, r.object.text) for r in d._.relations]
    [('MMP3', 'associated_with', 'LBP')]
    """
    y = before[-1]
    if any(not (t.lower_ in _GROUP_WORDS or t.lower_ in BE or (t.lower_.endswith("ly") and t.is_alpha))
           for t in doc[y.end:t0]):
        return None
    k = y.start - 1
    while k >= sent.start and doc[k].lower_ in ("the", "a", "an"):
        k -= 1
    if k < sent.start or doc[k].lower_ not in ("in", "of"):
        return None
    x = next((e for e in reversed(before[:-1]) if e.end <= k), None)
    if (x is None or x.label_ not in ("gene", "gene_group", "chemical") or k - x.end > _GROUP_GAP
            or (x.start > sent.start and doc[x.start - 1].lower_ in NOT_AGENT)):
        return None  # "cells treated with aspirin of the LBP group": a treatment, not what was measured
    gap = doc[x.end:k]
    if (len(gap) and gap[0].lower_ not in NEUTRAL_HEADS and gap[0].lower_ not in ("in", "of")) or any(
            t.lower_ in CLAUSE_BREAKS or t.text in (",", "(", ")") or t.lower_ in BE for t in gap):
        return None
    if any(e.start >= x.end and e.end <= k and e.label_ != "tissue" for e in before):
        return None  # another concept between: "X in NPCs treated with Y of the IDD group"
    if not allowed("associated_with", x.label_, y.label_):
        return None
    s, o = mention(x), mention(y)
    if (o.id, o.start) < (s.id, s.start):
        s, o = o, s
    return Relation(s, "associated_with", o, 0, doc[t0:t1 + 1].text, (sent.start_char, sent.end_char))


def _active_objects(doc: Doc, after: list[Span], t1: int, sent_end: int, forms: dict[str, Trigger],
                    trig: Trigger, sent_start: int = 0) -> tuple[list[Span], int | None]:
    """Objects of an active trigger and the head factor (see :func:`_head_factor`)."""
    if trig.object_after:
        # "protects NPCs against TNF-induced apoptosis": the object follows "against"/"from"
        k = next((j for j in range(t1 + 1, min(t1 + MAX_GAP, sent_end)) if doc[j].lower_ in trig.object_after), None)
        if k is None:
            return [], 1
        rest = [e for e in after if e.start > k]
        return (_objects(doc, rest, k, sent_end, forms, sent_start=sent_start) if rest else []), 1
    objs = _objects(doc, after, t1, sent_end, forms, tissue=trig.predicate == "degrades", sent_start=sent_start)
    if not objs:
        return [], 1
    factor = _head_factor(doc, t1 + 1, objs[0])
    if factor is None and not trig.sign and _head_word_before(doc, objs[0], t1 + 1) in _UNSIGNED_CHANGE:
        factor = 1  # "are important factors in the pathological changes of IDD": associated either way
    last = objs[-1]
    if factor is not None and last.end < sent_end and doc[last.end].lower_ in LOSS_HEADS:
        factor = -factor  # "induced aggrecan and COL2A1 loss"
    return objs, factor


def _relation(doc: Doc, sent: Span, x: Span, y: Span, trig: Trigger, t0: int, t1: int) -> Relation:
    """An unsigned relation between two mentions, in a canonical order (one edge per pair)."""
    s, o = mention(x), mention(y)
    if (o.id, o.start) < (s.id, s.start):
        s, o = o, s
    return Relation(s, trig.predicate, o, 0, doc[t0:t1 + 1].text, (sent.start_char, sent.end_char))


OPPOSITE = {"increases": "decreases", "decreases": "increases", "activates": "inhibits",
            "inhibits": "activates", "promotes": "inhibits", "upregulates_expression": "downregulates_expression",
            "downregulates_expression": "upregulates_expression", "recruits": "inhibits"}
_LOSS_BEFORE = frozenset({"knockdown", "silencing", "silence", "anti", "deletion", "depletion", "deficiency", "loss", "inhibition",
                          "inhibitor", "inhibitors", "blockade", "knockout", "ablation", "suppression",
                          "downregulation", "antagonist", "antagonists", "neutralization"})
_LOSS_AFTER = frozenset({"knockdown", "silencing", "deletion", "depletion", "deficiency", "deficient", "inhibitor",
                         "inhibitors", "knockout", "siRNA", "shRNA", "null", "antagonist", "blockade", "ablation",
                         "inhibition"})


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


_BETWEEN_PATIENT_AND_PASSIVE = frozenset({"is", "are", "was", "were", "be", "been", "being", "that", "which", "also", "not",
                                          "further", "then", "all", "both", "can", "could", "may", "might", "to",
                                          "shown", "found", "reported", "known", "-", "often", "always",
                                          "sometimes", "mostly", "mainly", "primarily", "commonly", "frequently", "more", "less"})


def _passive_patient(doc: Doc, e: Span, t0: int) -> bool:
    """``e`` is what a passive trigger at ``t0`` acts on: only "was/were", adverbs or a neutral head
    between ("MMP3 expression was induced by TNF"; not "Rg1 restores the impairment ... induced by").
    An abbreviation in brackets stands for its long form: "IDD (IDD) is triggered by ageing"."""
    lo = e.end + 1 if _alone_in_brackets(doc, e) else e.end
    classed = worded = copula = False  # "LBP is a major problem caused by IDD": X is a [adj] N caused by
    for t in doc[lo:t0]:
        w = t.lower_
        copula = copula or w in _COPULA
        if w in _CLASS_NOUNS:
            classed = True
        elif w in _BETWEEN_PATIENT_AND_PASSIVE or w in NEUTRAL_HEADS or (w.endswith("ly") and t.is_alpha):
            continue
        elif w in _CLASS_WORDS:
            worded = True
        else:
            return False
    return (classed and copula) or not (classed or worded)


#: what a patient is said to be before a passive ("a major problem caused by"), and the words around it
_CLASS_NOUNS = frozenset("""problem problems disease diseases condition conditions disorder disorders complication
complications consequence consequences symptom symptoms""".split())
_CLASS_WORDS = frozenset("a an the one of major main common serious chronic frequent leading most".split())


#: words of a location phrase between a patient and its passive verb ("MMP3 expression in human NP cells was")
_LOCATION_WORDS = frozenset("""in of from within the human rat rats mouse mice bovine rabbit porcine primary cultured
degenerated degenerative degenerating normal healthy isolated )""".split())


def _without_location(doc: Doc, before: list[Span], t0: int) -> tuple[list[Span], int]:
    """The mentions before a passive trigger at ``t0`` without a trailing location ("MMP3 expression in
    NP cells was increased": NP cells are where MMP3 changed, not what changed), and the token up to
    which the passive-patient check still has to read (the location's words are checked here).
    Unchanged when the last mention is no cell type or tissue, or no patient precedes it through
    location words.

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("MMP3 expression in NP cells was increased by IL-1β.")
    >>> [(r.subject.text, r.predicate, r.object.text) for r in d._.relations]
    [('IL-1β', 'increases', 'MMP3')]
    """
    if len(before) < 2 or before[-1].label_ not in ("cell_type", "tissue"):
        return before, t0
    loc, patient = before[-1], before[-2]
    gap = [t.lower_ for t in doc[patient.end:loc.start]]
    if not gap or not any(w in ("in", "of", "from", "within") for w in gap) or any(
            w not in _LOCATION_WORDS and w not in NEUTRAL_HEADS for w in gap):
        return before, t0
    if not _passive_patient(doc, loc, t0):
        return before, t0
    return before[:-1], patient.end  # the words up to the location were checked here


def _coordinated_before(doc: Doc, before: list[Span]) -> list[Span]:
    """The last entity before a passive trigger and those coordinated with it ("A and B were induced")."""
    out = [before[-1]]
    for e in reversed(before[:-1]):
        gap = doc[e.end:out[-1].start]
        if len(gap) > 4 or not gap or any(t.text not in COORD for t in gap):
            break
        out.append(e)
    return out[::-1]


def _objects(doc: Doc, after: list[Span], t1: int, sent_end: int,
             forms: dict[str, Trigger] | None = None, tissue: bool = False, sent_start: int = 0) -> list[Span]:
    """The first entity after the trigger (within reach) and those coordinated with it.

    A mention that only modifies the next noun is passed over for that noun: "TNF-α-induced
    apoptosis" (apoptosis), "NPCs senescence" (senescence), "CD68 macrophages" (macrophages).
    A tissue after a location preposition is skipped ("in the NP"); a tissue heading the object
    ("endplate degeneration") ends the search unless ``tissue`` (a predicate that takes tissues).
    A mention heading a larger noun ("inflammation model", "chondrocyte abnormality") is no object.
    """
    forms = forms or {}
    floor = max(sent_start, t1 + 1)  # "results in apoptosis": the trigger's own "in" is no location
    out: list[Span] = []
    last_end = 0  # where the last object ends, with the abbreviation bracketed after it
    i = 0
    while i < len(after):
        e = after[i]
        nxt = after[i + 1] if i + 1 < len(after) else None
        if out and e.kb_id_ == out[-1].kb_id_ and e.start == last_end + 1 and _alone_in_brackets(doc, e):
            last_end = e.end + 1  # "reactive oxygen species (ROS) production, and pyroptosis"
            i += 1
            continue
        adjacent = nxt is not None and nxt.start == e.end  # "NPCs senescence", "CD68 macrophages"
        if not out and _unrecognised_before(doc, t1 + 1, e.start) and not _listed_after_unrecognised(doc, t1 + 1, e, nxt):
            k = _later_list_item(doc, t1 + 1, after[i:])
            if k is None:
                return []  # "promotes tissue repair and reduces pain": the object was not recognised
            i += k  # "result in a change in NPC state, matrix degradation, and …": the list goes on
            out.append(after[i])
            last_end = after[i].end
            i += 1
            continue
        if e.label_ == "tissue" and not tissue:
            if _location(doc, e, floor) or out:
                i += 1
                continue
            return []
        if _location(doc, e, floor):
            i += 1
            continue  # "increased apoptosis in NPCs": a place, not an object
        if _is_modifier(doc, e, forms, sent_end) or (adjacent and (
                (e.label_ == "cell_type" and nxt.label_ in ("biological_process", "phenotype"))
                or (e.label_ in ("gene", "gene_group") and nxt.label_ == "cell_type"))):
            i += 1
            continue
        follow = doc[e.end] if e.end < sent_end else None
        if follow is not None and (follow.lower_ in _MODEL_WORDS or (
                e.label_ == "cell_type" and follow.is_alpha and follow.lower_ not in COORD
                and follow.lower_ not in NEUTRAL_HEADS and follow.lower_ not in _FUNCTION_WORDS)):
            if not out:
                return []
            break
        if not out:
            if e.start - t1 > MAX_GAP:
                return []
            out.append(e)
        else:
            gap = doc[last_end:e.start]
            if len(gap) > 4 or any(t.text not in COORD and not _head_of(gap, k) for k, t in enumerate(gap)):
                break
            out.append(e)
        last_end = e.end
        i += 1
    return out


_CONJUNCTIONS = frozenset({"and", "or", "but", "while", "whereas", ";", "which", "that"})
_MEASURE_HEADS = frozenset({"expression", "secretion", "levels", "level", "production", "activity"})


def _head_of(gap: Span, k: int) -> bool:
    """Token ``k`` of a gap between listed objects is the "of" of a measured head: "reduced the
    expression of p21 and the secretion of IL-6" (IL-6 is listed too)."""
    return gap[k].lower_ == "of" and k > 0 and gap[k - 1].lower_ in _MEASURE_HEADS


def _listed_after_unrecognised(doc: Doc, lo: int, e: Span, nxt: Span | None) -> bool:
    """``e`` is an item of a list of objects whose first item was not recognised: "induces Modic-like
    changes, disc degeneration and sensitization" (a few words, one comma, then ``e`` and another
    listed mention)."""
    gap = [t.lower_ for t in doc[lo:e.start]]
    if not gap or gap[-1] != "," or gap.count(",") > 1 or len(gap) > 5:
        return False
    if any(w in _CONJUNCTIONS or w in _PREPOSITIONS for w in gap):
        return False
    if nxt is None or nxt.start - e.end > 3:
        return False
    return all(t.lower_ in (",", "and", "or") for t in doc[e.end:nxt.start])


def _later_list_item(doc: Doc, lo: int, cands: list[Span]) -> int | None:
    """Index in ``cands`` of the second item of a list of objects whose first item was not
    recognised, when the list goes on after it: "may result in a change in nucleus pulposus cells
    state, matrix degradation, and degeneration of the disc" (matrix degradation); the item may have a
    head noun ("improve the fat infiltration degree of LMM, pain symptoms and activities of daily living").

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> d = default_pipeline()("Acupotomy can improve the fat infiltration of LMM, pain symptoms and activities of daily living.")
    >>> [(r.subject.text, r.predicate, r.object.text) for r in d._.relations]
    [('Acupotomy', 'decreases', 'pain')]
    """
    for k, e in enumerate(cands):
        gap = [t.lower_ for t in doc[lo:e.start]]
        if len(gap) > 9:
            return None
        if gap and gap[-1] == "," and gap.count(",") == 1 and not any(w in _CONJUNCTIONS for w in gap):
            j = e.end + 1 if e.end < len(doc) and doc[e.end].lower_ in NEUTRAL_HEADS else e.end
            nxt = [t.lower_ for t in doc[j:j + 2]]
            if nxt in ([",", "and"], [",", "or"]) or nxt[:1] in (["and"], ["or"]):
                return k
            return None
    return None


_PREPOSITIONS = frozenset({"in", "from", "with", "by", "on", "at", "to", "for", "into", "after", "during", "via",
                           "through", "under", "within", "among", "than", "without", "between"})


def _unrecognised_before(doc: Doc, lo: int, hi: int) -> bool:
    """Words, then a conjunction, comma or preposition, between a trigger and the first mention:
    the trigger's own object was something not recognised ("cause of disability in the elderly
    and IDD", "restored the LTP in slices from rats treated with morphine")."""
    seen_word = False
    toks = doc[lo:hi]
    both = any(t.lower_ == "both" for t in toks[:2])  # "both axial and radiating pain": one object
    for k, t in enumerate(toks):
        w = t.lower_
        if _in_after_change(doc, lo + k, lo):
            continue  # "a decrease in aggrecan"
        if w in _CONJUNCTIONS or w == "," or w in _PREPOSITIONS:
            if w == "as" or (w == "," and k + 1 < len(toks) and toks[k + 1].lower_ in ("such", "including")):
                continue
            if w == "and" and both:
                both = False
                continue
            if seen_word:
                return True
        elif (t.is_alpha and w not in _FUNCTION_WORDS and w not in ("the", "a", "an", "such", "including")
              and w not in NEUTRAL_HEADS  # "the occurrence and development of IDD": heads of one object
              and not (w in _CHANGE_HEADS and k + 1 < len(toks) and toks[k + 1].lower_ in ("in", "of"))):
            seen_word = True
    return False


_FUNCTION_WORDS = frozenset("""in of to from with by and or but at on into via through for as that which who were was is are
be been than under after before during while whereas compared""".split())


def _trim(doc: Doc, sent: Span) -> tuple[int, int]:
    """Character offsets of the sentence without surrounding whitespace."""
    s, e = sent.start_char, sent.end_char
    text = doc_text(doc)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _dedupe(rels: list[Relation]) -> list[Relation]:
    """One relation per (subject mention, predicate, object mention) in a sentence."""
    seen, out = set(), []
    for r in rels:
        key = (r.subject.start, r.subject.end, r.predicate, r.object.start, r.object.end)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


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
        for r in _dedupe(sentence_relations(sent, sent_ents, forms)):
            r.sentence = _trim(doc, sent)
            out.append(r)
    doc._.relations = out
    return doc

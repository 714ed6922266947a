"""End-to-end literature NLP throughput on real abstracts: this reader, the old reader and a plain
dictionary tagger, side by side in one run on the same texts.

- ``pipeline``: the full spaCy pipeline (sentences, abbreviations, lexicon + gene NER, filter,
  gene CRF, relations, negation/hedging, pair model) plus verification of every relation and of
  every sentence-level pair: the sentence as the Doc's
  own tokens spell it (``doc.char_span(start, end).text``) must equal the *original* document text
  at the relation's offsets. A tokenizer that loses a character, or offsets off by one, fail it.
- ``old_reader``: the pipeline as it was at ``--old-ref`` (a git commit; default the reader
  before the gene CRF and the pair model), exported with ``git archive`` into a temporary directory and run in
  a subprocess on the same texts.
- ``baseline``: spaCy's stock ``sentencizer`` + one PhraseMatcher over the HGNC symbols (no
  relations, no filters) — what a plain dictionary tagger costs.

Texts: the disc-biology PubMed records (``shared/data/literature/disc``, one per PMID) by default;
``--corpus pubmed`` reads ``shared/data/pubmed`` (a 2015 MEDLINE sample and single records). The
texts are repeated until ``--sentences`` sentences have been read.

Run: ``python bench/nlp_bench.py [--sentences 100000] [--corpus disc|pubmed] [--old-ref REF]``;
prints one JSON line and writes ``bench/results/nlp_bench.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
#: the reader before the gene CRF and the pair model (the last commit of the previous session)
OLD_REF = "bbbcd88"


def _texts(corpus: str) -> list[str]:
    from ingest.pubmed import parse_pubmed_files

    if corpus == "disc":
        arts, _ = parse_pubmed_files(sorted((SHARED / "literature" / "disc").glob("*.xml*")))
    else:
        arts, _ = parse_pubmed_files(sorted((SHARED / "pubmed").glob("*.xml*")))
    by_pmid: dict = {}
    for a in arts:
        if a.pmid not in by_pmid or len(a.text) > len(by_pmid[a.pmid].text):
            by_pmid[a.pmid] = a
    return [a.text for a in by_pmid.values()]


def verify_relation(text: str, doc, offsets) -> bool:
    """The Doc's own tokens over ``offsets`` spell exactly ``text[start:end]`` (the original)."""
    from ingest.literature import verify_sentence

    s, e = offsets
    span = doc.char_span(s, e)
    return span is not None and verify_sentence(text, span.text, (s, e))


def run_pipeline(texts: list[str], target: int) -> dict:
    from ingest.nlp.model import sentence_spans
    from ingest.nlp.pipeline import default_pipeline

    nlp = default_pipeline()
    sentences = relations = verified = pairs = pairs_verified = mentions = 0
    t0 = time.perf_counter()
    while sentences < target:
        for text, doc in zip(texts, nlp.pipe(texts, batch_size=64)):
            sentences += len(sentence_spans(doc))
            mentions += len(doc.ents)
            for r in doc._.relations or []:
                relations += 1
                verified += verify_relation(text, doc, r.sentence)
            for p in doc._.pairs or []:  # the pair model's sentence evidence, verified the same way
                if p.sentence is not None:
                    pairs += 1
                    pairs_verified += verify_relation(text, doc, p.sentence) and \
                        text[p.a.start:p.a.end] == p.a.text and text[p.b.start:p.b.end] == p.b.text
    dt = time.perf_counter() - t0
    return {"sentences": sentences, "seconds": round(dt, 2), "sentences_per_s": round(sentences / dt),
            "entities": mentions, "relations": relations, "verified": verified, "unverified": relations - verified,
            "pair_sentences": pairs, "pair_sentences_verified": pairs_verified}


_OLD_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
texts = json.load(open(sys.argv[2]))
target = int(sys.argv[3])
t = time.perf_counter()
from ingest.nlp.model import sentence_spans
from ingest.nlp.pipeline import default_pipeline
nlp = default_pipeline()
build = time.perf_counter() - t
sentences = relations = 0
t0 = time.perf_counter()
while sentences < target:
    for doc in nlp.pipe(texts, batch_size=64):
        sentences += len(sentence_spans(doc))
        relations += len(doc._.relations or [])
dt = time.perf_counter() - t0
print(json.dumps({"sentences": sentences, "seconds": round(dt, 2), "sentences_per_s": round(sentences / dt),
                  "relations": relations, "pipeline_build_s": round(build, 2)}))
"""


def run_old_reader(texts: list[str], target: int, ref: str) -> dict:
    """The reader at git ``ref``, exported read-only (``git archive``) and run in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "ingest", "ontology", "kg"],
                                 capture_output=True)
        if archive.returncode != 0:
            return {"ref": ref, "error": archive.stderr.decode(errors="replace").strip()}
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        data = Path(tmp) / "texts.json"
        data.write_text(json.dumps(texts))
        env = dict(os.environ, KG_BIORED_TRAIN=str(SHARED / "corpora" / "BioRED" / "Train.PubTator"))
        res = subprocess.run([sys.executable, "-c", _OLD_SCRIPT, tmp, str(data), str(target)],
                             capture_output=True, text=True, env=env, cwd=tmp)
        if res.returncode != 0:
            return {"ref": ref, "error": res.stderr.strip()[-500:]}
        return {"ref": ref, **json.loads(res.stdout.strip().splitlines()[-1])}


def run_baseline(texts: list[str], target: int) -> dict:
    import spacy
    from spacy.matcher import PhraseMatcher

    from ingest.hgnc import default_resolver

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher = PhraseMatcher(nlp.vocab)
    syms = sorted({s for s, _h, _t in default_resolver().symbol_index()})
    matcher.add("GENE", list(nlp.tokenizer.pipe(syms)))
    sentences = mentions = 0
    t0 = time.perf_counter()
    while sentences < target:
        for doc in nlp.pipe(texts, batch_size=64):
            sentences += sum(1 for _ in doc.sents)
            mentions += len(matcher(doc))
    dt = time.perf_counter() - t0
    return {"sentences": sentences, "seconds": round(dt, 2), "sentences_per_s": round(sentences / dt),
            "mentions": mentions}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=100_000)
    ap.add_argument("--corpus", choices=("disc", "pubmed"), default="disc")
    ap.add_argument("--old-ref", default=OLD_REF, help="git commit of the old reader ('' to skip it)")
    args = ap.parse_args()
    texts = _texts(args.corpus)
    t = time.perf_counter()
    from ingest.nlp.pipeline import default_pipeline

    default_pipeline()
    build_s = time.perf_counter() - t
    import tracemalloc

    pipe = run_pipeline(texts, args.sentences)
    old = run_old_reader(texts, args.sentences, args.old_ref) if args.old_ref else None
    base = run_baseline(texts, args.sentences)
    tracemalloc.start()
    run_pipeline(texts[:100], 1)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {"bench": "nlp", "corpus": args.corpus, "documents": len(texts), "pipeline_build_s": round(build_s, 2),
           "pipeline": pipe, "old_reader": old,
           "baseline": {"what": "spaCy sentencizer + PhraseMatcher over HGNC symbols", **base},
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "tracemalloc_peak_mb_100_docs": round(peak / 1e6, 1), "cores": 1}
    line = json.dumps(out)
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "nlp_bench.json").write_text(line + "\n")
    print(line)


if __name__ == "__main__":
    main()

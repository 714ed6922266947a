"""End-to-end literature NLP throughput on the real PubMed files, with a baseline in the same run.

Pipeline: the full spaCy pipeline (sentences, abbreviations, lexicon + gene NER, filter,
relations, negation/hedging) plus verification of every relation sentence against the text.
Baseline: spaCy's stock ``sentencizer`` + one PhraseMatcher over the same HGNC symbols (no
relations, no filters) — what a plain dictionary tagger costs.

Run: ``python bench/nlp_bench.py [--sentences 100000]``; prints one JSON line and writes
``bench/results/nlp_bench.json``.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _texts(target: int) -> tuple[list[str], int]:
    from ingest.pubmed import parse_pubmed_files

    arts, _ = parse_pubmed_files(sorted((ROOT.parent / "shared" / "data" / "pubmed").glob("*.xml*")))
    base = [a.text for a in arts]
    return base, len(base)


def run_pipeline(texts: list[str], target: int) -> dict:
    from ingest.literature import verify_sentence
    from ingest.nlp.model import sentence_spans
    from ingest.nlp.pipeline import default_pipeline

    nlp = default_pipeline()
    sentences = relations = verified = 0
    t0 = time.perf_counter()
    while sentences < target:
        for text, doc in zip(texts, nlp.pipe(texts, batch_size=64)):
            sentences += len(sentence_spans(doc))
            for r in doc._.relations or []:
                relations += 1
                s, e = r.sentence
                verified += verify_sentence(text, text[s:e], (s, e))
    dt = time.perf_counter() - t0
    return {"sentences": sentences, "seconds": round(dt, 2), "sentences_per_s": round(sentences / dt),
            "relations": relations, "verified": verified}


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
    args = ap.parse_args()
    texts, n_docs = _texts(args.sentences)
    t = time.perf_counter()
    from ingest.nlp.pipeline import default_pipeline

    default_pipeline()
    build_s = time.perf_counter() - t
    import tracemalloc

    pipe = run_pipeline(texts, args.sentences)
    base = run_baseline(texts, args.sentences)
    tracemalloc.start()
    run_pipeline(texts[:100], 1)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {"bench": "nlp", "documents": n_docs, "pipeline_build_s": round(build_s, 2), "pipeline": pipe,
           "baseline": {"what": "spaCy sentencizer + PhraseMatcher over HGNC symbols", **base},
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "tracemalloc_peak_mb_100_docs": round(peak / 1e6, 1), "cores": 1}
    line = json.dumps(out)
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "nlp_bench.json").write_text(line + "\n")
    print(line)


if __name__ == "__main__":
    main()

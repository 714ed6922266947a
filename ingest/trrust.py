"""TRRUST v2 human transcription factor -> target regulation (``trrust_rawdata.human.tsv``).

Each line is ``TF<TAB>target<TAB>mode<TAB>PMID;PMID…`` with mode ``Activation``, ``Repression``
or ``Unknown`` (an optional ``TF, Target, Regulation, Reference`` header is skipped; CRLF is fine).
Activation -> ``upregulates_expression`` (+1), Repression -> ``downregulates_expression`` (-1);
Unknown -> ``associated_with`` (0), the ontology's only unsigned predicate: TRRUST still means the
TF regulates the target's transcription, so the TF stays the subject and the mode is in the context.
One evidence per PMID (``PMID:n``). Symbols map through the HGNC resolver; unmapped ones are
counted. TRRUST v2 is CC BY-SA 4.0: anything shared that is built from it keeps that licence.

>>> from ingest.hgnc import default_resolver
>>> sl = read_trrust(b"SOX9\\tACAN\\tActivation\\t1;2\\nNFKB1\\tTNF\\tUnknown\\t3\\n", default_resolver(), name="t.tsv")
>>> sorted((e.predicate, e.sign) for e in sl.edges.values()), sorted(v.citation for v in sl.evidence.values())
([('associated_with', 0), ('upregulates_expression', 1)], ['PMID:1', 'PMID:2', 'PMID:3'])
"""
from __future__ import annotations

from ingest.gmt import GeneMapper, Source, decoded_rows, new_load, source_bytes, source_url
from ingest.hgnc import HGNCResolver, default_resolver
from ingest.np_mt_rnm import git_blob_sha1
from kg.records.model import Edge, Evidence
from kg.records.sources import SourceLoad
from ontology import Ontology

SOURCE = "trrust"
LICENCE = "CC BY-SA 4.0 (TRRUST v2, www.grnpedia.org/trrust; Han et al. 2018, DOI:10.1093/nar/gkx1013)"
URL = "https://www.grnpedia.org/trrust/"
#: mode of regulation -> (predicate, sign)
MODES: dict[str, tuple[str, int]] = {
    "Activation": ("upregulates_expression", 1),
    "Repression": ("downregulates_expression", -1),
    "Unknown": ("associated_with", 0),
}
VERBS = {"Activation": "activates transcription of", "Repression": "represses transcription of",
         "Unknown": "regulates transcription (mode unknown) of"}
HEADER = ["tf", "target", "regulation", "reference"]
#: git blob of the copy shipped in the data pack (with the header row and CRLF line ends it added).
KNOWN_BLOBS = {"7f74fe7d913607d0900fbd6c6da40f533d217063":
               "TRRUST v2 human (copy in hasanalanya/master-thesis@f80c4ed68bcebe7bd979841a4f24969b67216f6b)"}


def read_trrust(src: Source | None = None, resolver: HGNCResolver | None = None, *, name: str | None = None,
                version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """TRRUST raw data (human) -> TF -> target edges; ``src`` defaults to the data-pack copy."""
    from kg.datapack import datapack_path

    resolver = resolver or default_resolver()
    src = datapack_path("networks", "trrust_rawdata.human.tsv") if src is None else src
    data, label = source_bytes(src, name)
    sl = new_load(SOURCE, version or KNOWN_BLOBS.get(git_blob_sha1(data), label), LICENCE,
                  source_url(src, label), label, onto)
    mapper = GeneMapper(resolver, SOURCE)
    first = True
    for _, where, text in decoded_rows(data, label, sl):
        cols = [c.strip() for c in text.split("\t")]
        if first:
            first = False
            if [c.lower() for c in cols] == HEADER:
                continue
        if len(cols) != 4:
            sl.reject(where, f"expected 4 tab-separated columns (TF, target, mode, PMIDs), got {len(cols)}")
            continue
        tf_txt, tg_txt, mode, refs = cols
        if not tf_txt or not tg_txt:
            sl.reject(where, "empty TF or target")
            continue
        if mode not in MODES:
            sl.reject(where, f"mode {mode!r} is not one of {', '.join(MODES)}")
            continue
        pmids = [p.strip() for p in refs.split(";") if p.strip()]
        bad = [p for p in pmids if not p.isdigit()]
        if not pmids or bad:
            sl.reject(where, f"PMID {bad[0]!r} is not a number" if bad else "no PMID")
            continue
        tf, tg = mapper.symbol(tf_txt), mapper.symbol(tg_txt)
        if tf is None or tg is None:
            sl.unmapped([t for t, n in ((tf_txt, tf), (tg_txt, tg)) if n is None])
            continue
        pred, sign = MODES[mode]
        e = Edge(tf.id, pred, tg.id, sign)
        ctx = (("design", "database"), ("species", "human"), ("trrust_mode", mode))
        text_ = f"TRRUST v2: {tf_txt} {VERBS[mode]} {tg_txt}."
        ev = [Evidence(e.key, SOURCE, f"PMID:{p}", text_, None, SOURCE, ctx, (), sign)
              for p in dict.fromkeys(pmids)]
        sl.add_row(where, [tf, tg], [e], ev)
    return sl

"""Build ``kg/datapack/literature/disc_pubmed.jsonl.gz``: the evidence our reader mines from the
disc-biology PubMed records of ``shared/data/literature/disc`` (sentences with PMIDs and offsets,
no abstracts; :mod:`ingest.literature_pack`), so the default graph holds disc literature offline.

Mined with the gene table the default build uses (the shipped HGNC set). Rerun after any change to
the reader: the suite mines the records again and fails while the pack differs.

Run: ``python tools/make_disc_literature.py [--shared ../shared/data]``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from ingest.hgnc import default_resolver
    from ingest.literature_pack import DISC_PACK, write_pack
    from kg.pipeline.build import disc_pubmed

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args(argv)
    load = disc_pubmed(args.shared, default_resolver())
    load.provenance = type(load.provenance)(load.provenance.source, load.provenance.version,
                                            load.provenance.licence, "", "literature/disc")
    load.report.path = "literature/disc"  # the pack names the source folder, not this machine's path
    out = ROOT / "kg" / "datapack" / Path(*DISC_PACK)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        write_pack(load, fh)
    pubs = sum(n.category == "publication" for n in load.nodes.values())
    print(f"{out.relative_to(ROOT)}: {len(load.edges)} edges, {len(load.evidence)} sentences, "
          f"{pubs} publications, {len(load.report.rejected)} rows rejected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

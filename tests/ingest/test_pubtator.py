"""PubTator3 BioC JSON: real documents, offsets that do not match, the relations API format."""
from __future__ import annotations

import json

from ingest.pubtator import parse_bioc_document, parse_pubtator_files, parse_relations_api
from tests.helpers import shared_data


def test_real_documents_text_and_entities_line_up():
    files = sorted((shared_data() / "pubmed" / "pubtator").glob("*.json"))
    parsed = parse_pubtator_files(files)
    assert parsed.skipped == 0 and len(parsed.documents) == len(files)
    doc = next(d for d in parsed.documents if d.pmid == "28041912")
    assert doc.text.startswith(doc.title) and doc.year == 2017
    # p65 is annotated as NCBI Gene 5970 -> RELA (HGNC:9955) through by_entrez
    assert any(doc.text[s:e] == "p65" and i == "HGNC:9955" for s, e, i, c in doc.entities)
    assert all(c in ("gene", "chemical", "phenotype") for *_, c in doc.entities)
    rodent = next(d for d in parsed.documents if d.pmid == "33664495")
    assert any(i == "HGNC:12517" for *_, i, _c in rodent.entities)  # mouse Ucp1 -> UCP1 by symbol


def test_offsets_that_do_not_match_skip_the_document(tmp_path):
    src = sorted((shared_data() / "pubmed" / "pubtator").glob("*.json"))[0]
    d = json.loads(src.read_text())
    d["passages"][0]["annotations"][0]["locations"][0]["offset"] += 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(d))
    (tmp_path / "broken.json").write_text("{not json")
    parsed = parse_pubtator_files([bad, tmp_path / "broken.json"])
    assert parsed.documents == [] and parsed.skipped == 2
    assert "does not match the text at offset" in parsed.messages[0] and parsed.messages[0].startswith("bad.json")
    assert parsed.messages[1].startswith("broken.json:1: not readable BioC JSON")  # file and line


def test_document_without_pmid_is_refused():
    doc, why = parse_bioc_document({"id": "x", "passages": [{"offset": 0, "text": "t"}]})
    assert doc is None and "not a PMID" in why


def test_relations_api_format():
    payload = [{"source": "@GENE_TNF", "target": "@GENE_MMP3", "type": "positive_correlate", "publications": 12},
               {"bad": 1}]
    assert parse_relations_api(payload) == [("@GENE_TNF", "@GENE_MMP3", "positive_correlate")]

"""Links out from the app: identifiers and citations go to the databases that own them."""
from __future__ import annotations

import pytest

from kg.surfaces.app.links import citation_markdown, curie_url, md_escape


@pytest.mark.parametrize("curie, url", [
    ("HGNC:7173", "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:7173"),
    ("NCBIGene:4314", "https://www.ncbi.nlm.nih.gov/gene/4314"),
    ("GO:0022617", "https://amigo.geneontology.org/amigo/term/GO:0022617"),
    ("REACT:R-HSA-1474228", "https://reactome.org/content/detail/R-HSA-1474228"),
    ("MESH:D003657", "https://meshb.nlm.nih.gov/record/ui?ui=D003657"),
    ("PMID:25546513", "https://pubmed.ncbi.nlm.nih.gov/25546513/"),
    ("DOI:10.1186/s13075-019-1887-5", "https://doi.org/10.1186/s13075-019-1887-5"),
    ("URL:https://example.org/x", "https://example.org/x"),
])
def test_curie_urls(curie, url):
    assert curie_url(curie) == url


def test_unknown_prefixes_stay_plain_text():
    assert curie_url("KG:macrophages") is None
    assert citation_markdown("ontology/modules.yaml") == "ontology/modules.yaml"


def test_markdown_escaping_keeps_text_literal():
    assert md_escape("TGF-$\\beta$ [x](y)") == "TGF\\-\\$\\\\beta\\$ \\[x\\]\\(y\\)"


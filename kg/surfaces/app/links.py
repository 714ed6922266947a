"""Links out: identifiers and citations to the pages of the databases that own them.

>>> citation_url("PMID:25546513")
'https://pubmed.ncbi.nlm.nih.gov/25546513/'
>>> citation_markdown("DOI:10.1000/xyz")
'[DOI:10.1000/xyz](https://doi.org/10.1000/xyz)'
>>> citation_markdown("URL:https://www.karger.com/a/1")
'[karger.com](https://www.karger.com/a/1)'
>>> md_escape("IL-1$\\\\beta$ *up*")
'IL\\\\-1\\\\$\\\\\\\\beta\\\\$ \\\\*up\\\\*'
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

#: prefix -> URL template ({curie} = whole identifier, {local} = part after the colon)
URLS = {
    "HGNC": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{curie}",
    "NCBIGene": "https://www.ncbi.nlm.nih.gov/gene/{local}",
    "GO": "https://amigo.geneontology.org/amigo/term/{curie}",
    "REACT": "https://reactome.org/content/detail/{local}",
    "MESH": "https://meshb.nlm.nih.gov/record/ui?ui={local}",
    "UniProtKB": "https://www.uniprot.org/uniprotkb/{local}",
    "ENSEMBL": "https://www.ensembl.org/id/{local}",
    "WP": "https://www.wikipathways.org/pathways/{local}.html",
    "CHEBI": "https://www.ebi.ac.uk/chebi/searchId.do?chebiId={curie}",
    "CL": "https://www.ebi.ac.uk/ols4/ontologies/cl/classes?obo_id={curie}",
    "UBERON": "https://www.ebi.ac.uk/ols4/ontologies/uberon/classes?obo_id={curie}",
    "HP": "https://hpo.jax.org/browse/term/{curie}",
    "PMID": "https://pubmed.ncbi.nlm.nih.gov/{local}/",
    "DOI": "https://doi.org/{local}",
    "PMCID": "https://pmc.ncbi.nlm.nih.gov/articles/{local}/",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|$~<>])")


def curie_url(curie: str) -> str | None:
    """The page of an identifier, or None when its database has no known page."""
    if curie.startswith(("http://", "https://")):
        return curie
    if curie.startswith("URL:"):
        return curie[4:]
    pfx, _, local = curie.partition(":")
    tpl = URLS.get(pfx)
    return tpl.format(curie=curie, local=local) if tpl and local else None


def citation_url(citation: str) -> str | None:
    """PMIDs to PubMed, DOIs to doi.org, PMCIDs to PMC, URLs as they are."""
    return curie_url(citation.strip())


def md_escape(text: str) -> str:
    """Text safe to embed in Streamlit Markdown (no accidental emphasis, links or LaTeX)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def curie_markdown(curie: str) -> str:
    """A Markdown link for an identifier; a web address shows as its site name."""
    url = curie_url(curie)
    if not url:
        return md_escape(curie)
    text = urlparse(url).netloc.removeprefix("www.") if url == curie.removeprefix("URL:") else curie
    return f"[{md_escape(text)}]({url})"


def citation_markdown(citation: str) -> str:
    """A Markdown link for a citation, or the escaped citation when it has no page."""
    return curie_markdown(citation.strip())

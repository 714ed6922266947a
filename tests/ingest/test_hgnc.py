import pytest

from ingest.hgnc import HGNCResolver, default_resolver, normalise_symbol


@pytest.fixture(scope="module")
def resolver():
    return default_resolver()


@pytest.mark.parametrize("text,symbol,status", [
    ("MMP3", "MMP3", "approved"), ("MMP-3", "MMP3", "approved"), ("TGF-β1", "TGFB1", "approved"),
    ("TGF-beta1", "TGFB1", "approved"), ("FAK", "PTK2", "alias"), ("IL-8", "CXCL8", "alias"),
    ("MCP-1", "CCL2", "alias"), ("RANKL", "TNFSF11", "alias"),
])
def test_resolves_symbols_in_order(resolver, text, symbol, status):
    res = resolver.resolve(text)
    assert (res.symbol, res.status) == (symbol, status)


def test_previous_symbol_beats_alias():
    r = HGNCResolver.from_rows([
        {"hgnc_id": "HGNC:1", "symbol": "NEW1", "status": "Approved", "prev_symbol": "OLD", "alias_symbol": ""},
        {"hgnc_id": "HGNC:2", "symbol": "OTHER", "status": "Approved", "prev_symbol": "", "alias_symbol": "OLD"},
    ])
    assert r.resolve("OLD").hgnc_id == "HGNC:1"


def test_ambiguous_alias_is_reported_not_guessed():
    r = HGNCResolver.from_rows([
        {"hgnc_id": "HGNC:1", "symbol": "A1", "status": "Approved", "alias_symbol": "X"},
        {"hgnc_id": "HGNC:2", "symbol": "B1", "status": "Approved", "alias_symbol": "X"},
    ])
    res = r.resolve("X")
    assert res.status == "ambiguous" and res.hgnc_id is None and res.candidates == ("A1", "B1")
    assert "ambiguous" in res.reason()


def test_withdrawn_symbol_is_reported(resolver):
    assert resolver.resolve("A12M1").status == "withdrawn"
    assert resolver.resolve("NOTAGENE123").status == "unknown"


def test_cross_references(resolver):
    mmp3 = resolver.resolve("MMP3").hgnc_id
    assert resolver.by_entrez("4314") == mmp3
    assert resolver.by_ensembl("ENSG00000149968") == mmp3


def test_normalise_symbol():
    assert normalise_symbol("IL-1β") == "IL1B"
    assert normalise_symbol("NF-κB") == "NFKB"

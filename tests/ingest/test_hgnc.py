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


def _rows(*genes):
    return [{"hgnc_id": h, "symbol": s, "status": "Approved", "alias_symbol": a, "prev_symbol": p}
            for h, s, a, p in genes]


def test_folded_approved_symbol_beats_an_exact_alias(resolver):
    # HGNC lists "ADAMTS-4" as an alias of ADAMTS3; the hyphen-folded approved symbol ADAMTS4 wins
    assert resolver.resolve("ADAMTS-4").symbol == "ADAMTS4"
    assert resolver.resolve("ADAMTS-5").symbol == "ADAMTS5"
    r = HGNCResolver.from_rows(_rows(("HGNC:1", "ABC4", "", ""), ("HGNC:2", "ABC3", "ABC-4", "")))
    res = r.resolve("ABC-4")
    assert (res.hgnc_id, res.status) == ("HGNC:1", "approved")


def test_folded_previous_and_alias_naming_two_genes_is_refused():
    r = HGNCResolver.from_rows(_rows(("HGNC:1", "RECEPT1", "", "XY1A"), ("HGNC:2", "ANTAG", "XY1A", "")))
    assert r.resolve("XY1A").hgnc_id == "HGNC:1"  # exact: the previous symbol, as before
    res = r.resolve("XY-1a")  # folded: previous symbol of one gene, alias of the other
    assert res.status == "ambiguous" and res.hgnc_id is None and res.candidates == ("ANTAG", "RECEPT1")


def test_prose_forms_the_tiers_get_wrong(resolver):
    # "IL-1Ra" folds to IL1RA: a previous symbol of IL1R1 and an alias of IL1RN; it names the antagonist
    assert resolver.resolve("IL-1Ra").symbol == "IL1RN"
    assert resolver.resolve("IL-1ra").symbol == "IL1RN"
    assert resolver.resolve("COX-2").symbol == "PTGS2"  # HGNC: alias of PTGS2 and of MT-CO2
    assert resolver.resolve("IL-1R1").symbol == "IL1R1"  # the receptor itself is untouched


def test_gene_groups_from_the_hgnc_table(resolver):
    mmps = {resolver.genes[h].symbol for h in resolver.family_members("891")}
    assert {"MMP1", "MMP3", "MMP9", "MMP13"} <= mmps and "ADAMTS4" not in mmps
    assert resolver.family_names["891"] == "M10 matrix metallopeptidases"

from ontology import load_ontology

MODULE_NAMES = ["Decompression", "Bone bioactive factors", "Integrin signalling", "Matrix degradation",
                "Inflammation", "Neovascularisation", "NP resorption", "RI-LDH"]


def test_modules_have_the_exact_names_in_order():
    onto = load_ontology()
    assert [m.name for m in sorted(onto.modules.values(), key=lambda m: m.order)] == MODULE_NAMES


def test_modules_carry_identifiers_and_genes_from_the_curated_table():
    onto = load_ontology()
    md = onto.module_by_name("Matrix degradation")
    assert {"MMP3", "MMP13", "ADAMTS5"} <= set(md.member_genes)
    assert any(t["id"] == "GO:0022617" for t in md.go_terms)
    assert any(t["id"] == "REACT:R-HSA-1474228" for t in md.reactome_pathways)
    assert {"ITGB1", "PTK2", "RHOA"} <= set(onto.module_by_name("Integrin signalling").member_genes)


def test_every_category_and_predicate_maps_to_biolink():
    onto = load_ontology()
    assert all(c.biolink.startswith("biolink:") for c in onto.categories.values())
    assert all(p.biolink.startswith("biolink:") for p in onto.predicates.values())
    assert onto.predicates["inhibits"].polarity == -1
    assert onto.predicates["associated_with"].directed is False


def test_check_edge_names_the_rule_it_breaks():
    onto = load_ontology()
    assert "unknown predicate" in onto.check_edge("HGNC:1", "gene", "eats", "HGNC:2", "gene", 1)
    assert "sign" in onto.check_edge("HGNC:1", "gene", "inhibits", "HGNC:2", "gene", 1)
    assert "domain" in onto.check_edge("KG:x", "phenotype", "binds", "HGNC:2", "gene", 0)
    assert onto.check_edge("HGNC:1", "gene", "inhibits", "HGNC:2", "gene", -1) is None


def test_check_node_rejects_bad_identifiers():
    onto = load_ontology()
    assert "CURIE" in onto.check_node("MMP3", "gene", "MMP3")
    assert "prefix" in onto.check_node("GO:0001", "gene", "x")
    assert "unknown category" in onto.check_node("HGNC:1", "protein", "x")


def test_lexicon_membership_signs():
    onto = load_ontology()
    dec = onto.module_by_name("Decompression")
    assert dec.lexicon_sign("expansive laminoplasty") == 1
    assert dec.lexicon_sign("dynamic compressive overload", "mechanical_stimulus") == -1
    assert dec.lexicon_sign("low-tension traction after compression", "mechanical_stimulus") == 1
    assert dec.lexicon_sign("compression-induced apoptosis", "phenotype") == 0

"""Long text through the pipeline in pieces (spaCy refuses more than max_length characters at once)."""
from __future__ import annotations

import pytest

from ingest.nlp.pipeline import default_pipeline, pipe_long, text_chunks
from tests.helpers import shared_data

PARA = "Tumor necrosis factor (TNF) increased MMP3 expression in nucleus pulposus cells. IL1B did not inhibit TIMP1."


@pytest.mark.parametrize("text, size", [
    (PARA + "\n\n" + PARA, 150),               # cut at the blank line
    (PARA + " " + PARA + "\n" + PARA, 230),    # at the line break
    (PARA + " " + PARA, 150),                  # at the sentence end
    ("word " * 100, 42),                       # at a space
    ("x" * 1000, 64),                          # one unbroken run: hard cuts
    ("", 10), ("short", 10),
])
def test_chunks_join_back_stay_under_the_limit_and_end_at_boundaries(text, size):
    pieces = text_chunks(text, size)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= size for _, p in pieces)
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]
    if "\n\n" in text:
        assert pieces[0][1].endswith("\n\n")
    elif "\n" in text:
        assert pieces[0][1].endswith("\n")
    elif ". " in text:
        assert pieces[0][1].endswith(". ")


def test_text_over_max_length_is_read_in_pieces_with_offsets_into_the_whole_text():
    nlp = default_pipeline()
    text = (PARA + "\n\n") * (nlp.max_length // (len(PARA) + 2) + 50)
    assert len(text) > nlp.max_length
    with pytest.raises(ValueError, match="E088"):  # what `kg extract` used to die of
        nlp(text)
    parts = list(pipe_long(nlp, text))
    assert len(parts) == 2 and all(len(d.text) <= nlp.max_length for _, d in parts)
    off, last = parts[-1]
    ent = last.ents[-1]
    assert text[off + ent.start_char:off + ent.end_char] == ent.text == "TIMP1"


def test_short_text_is_one_doc_as_before():
    from ingest.pubmed import parse_pubmed_files

    arts, _ = parse_pubmed_files([shared_data() / "pubmed" / "pmid_9500320.xml"])
    text = arts[0].text  # a real structured abstract
    nlp = default_pipeline()
    (off, doc), = list(pipe_long(nlp, text))
    ents = [(e.start_char, e.kb_id_) for e in doc.ents]
    assert off == 0 and ents and ents == [(e.start_char, e.kb_id_) for e in nlp(text).ents]

"""Extraction: accent and case folding, the gazetteer, offsets, articles and bad input."""

from __future__ import annotations

import pytest

from timeline.errors import ExtractionError
from timeline.extract import (
    CHUNK_CHARS,
    Gazetteer,
    article_sentences,
    chunks,
    extract,
    fold,
    get_extractor,
    read_article,
    resolve_mode,
    surname_forms,
)
from timeline.models import Actor

ACTORS = [
    Actor(id="nicolas-maduro", name="Nicolás Maduro", kind="person", aliases=["Maduro"]),
    Actor(id="donald-trump", name="Donald Trump", kind="person"),
    Actor(id="delcy-rodriguez", name="Delcy Rodríguez", kind="person"),
    Actor(id="jorge-rodriguez", name="Jorge Rodríguez", kind="person"),
    Actor(id="united-states", name="United States", kind="country", aliases=["US", "U.S."]),
    Actor(id="jep", name="Justicia, Encuentro y Perdón", kind="ngo"),
    Actor(id="el-helicoide", name="El Helicoide", kind="facility"),
    Actor(
        id="maduro-wife", name="wife of Nicolás Maduro", kind="person", aliases=["Maduro's wife"]
    ),
]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.from_actors(ACTORS)


@pytest.fixture(scope="module")
def ex(gaz):
    return get_extractor(gaz, "gazetteer")


def found(ex, text: str) -> list[tuple[str, str | None, str]]:
    return [(f.text, f.key, f.method) for f in extract([("t", text)], ex)]


def test_fold_strips_accents_and_case():
    assert fold("Nicolás") == fold("NICOLAS") == fold("Nicolas") == "nicolas"
    assert fold("Perdón") == fold("Perdon") == "perdon"
    assert fold("Maduro\u2019s") == "maduro's"


def test_surname_forms_come_from_person_names_only():
    assert surname_forms("Delcy Rodríguez") == ["Rodríguez"]
    assert surname_forms("President Donald Trump") == ["Trump"]
    assert surname_forms("Nicolás Maduro Moros") == ["Moros", "Maduro", "Maduro Moros"]
    assert surname_forms("wife of Nicolás Maduro") == []
    assert surname_forms("Maduro") == []


def test_gazetteer_keys_and_shared_surname(gaz):
    assert gaz.keys["n:rodriguez"] == ("delcy-rodriguez", "jorge-rodriguez")
    assert gaz.methods["n:rodriguez"] == "surname"
    assert gaz.keys["n:us"] == ("united-states",)
    # "Maduro" is a curated alias, so no surname pattern competes with it
    assert gaz.methods["n:maduro"] == "gazetteer"
    assert gaz.acronyms == frozenset({"US"})


def test_accents_and_case_fold_both_ways(ex):
    assert found(ex, "NICOLAS MADURO met Nicolas Maduro and Nicolás Maduro.") == [
        ("NICOLAS MADURO", "n:nicolas maduro", "gazetteer"),
        ("Nicolas Maduro", "n:nicolas maduro", "gazetteer"),
        ("Nicolás Maduro", "n:nicolas maduro", "gazetteer"),
    ]
    assert found(
        ex, "Justicia, Encuentro y Perdon counted; so did JUSTICIA, ENCUENTRO Y PERDÓN"
    ) == [
        ("Justicia, Encuentro y Perdon", "n:justicia encuentro y perdon", "gazetteer"),
        ("JUSTICIA, ENCUENTRO Y PERDÓN", "n:justicia encuentro y perdon", "gazetteer"),
    ]


def test_acronyms_match_but_the_pronoun_us_does_not(ex):
    assert found(ex, "They told us the U.S. and the US agreed.") == [
        ("U.S.", "n:us", "gazetteer"),
        ("US", "n:us", "gazetteer"),
    ]


def test_possessives_titles_and_longest_alias(ex):
    assert found(ex, "Maduro's lawyers met President Donald Trump and Maduro’s wife.") == [
        ("Maduro", "n:maduro", "gazetteer"),
        ("Donald Trump", "n:donald trump", "gazetteer"),
        ("Maduro’s wife", "n:maduro s wife", "gazetteer"),
    ]


def test_shared_surname_is_found_with_its_key(ex):
    assert found(ex, "Rodriguez spoke. Later RODRÍGUEZ left.") == [
        ("Rodriguez", "n:rodriguez", "surname"),
        ("RODRÍGUEZ", "n:rodriguez", "surname"),
    ]


def test_unknown_capitalised_names_are_proposed(ex):
    text = (
        "After the vote, Secretary of State Marco Rubio met Foro Penal in Bogotá. "
        "Americans cheered."
    )
    assert found(ex, text) == [
        ("Marco Rubio", None, "name"),
        ("Foro Penal", None, "name"),
        ("Bogotá", None, "name"),
    ]


def test_offsets_are_into_the_event_text(shipped):
    extractor = get_extractor(Gazetteer.from_dataset(shipped), "gazetteer")
    texts = {e.id: e.text for e in shipped.events}
    spans = list(extract(texts.items(), extractor))
    assert len(spans) > 100
    for f in spans:
        assert texts[f.context][f.start : f.end] == f.text


def test_pipeline_is_built_once(gaz, ex):
    assert get_extractor(Gazetteer.from_actors(list(ACTORS)), "gazetteer") is ex
    assert ex.nlp.pipe_names == ["timeline_fold", "entity_ruler", "timeline_names"]
    assert ex.name.startswith("spacy-3.8.") and ex.name.endswith("/blank-en+gazetteer")


def test_unknown_mode_is_a_clear_error():
    with pytest.raises(ExtractionError) as exc:
        resolve_mode("bert")
    assert str(exc.value) == "unknown NER mode 'bert'; choose one of gazetteer, model, none, auto"


def test_model_mode_without_a_model_says_how_to_install(monkeypatch):
    import timeline.ner as ner_module

    monkeypatch.setattr(ner_module, "installed_model", lambda: None)
    assert resolve_mode("auto") == "gazetteer"
    with pytest.raises(ExtractionError, match="pip install -r requirements-ner.txt"):
        resolve_mode("model")


# --- articles and bad input -------------------------------------------------------------------


def test_read_article_refuses_bad_input(tmp_path):
    empty, binary, latin = tmp_path / "empty.txt", tmp_path / "bin.txt", tmp_path / "latin.txt"
    empty.write_bytes(b"  \n\n")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    latin.write_bytes("line one\nPerdón\n".encode("latin-1"))
    expected = {
        empty: f"{empty}: the article is empty; nothing to extract",
        binary: f"{binary}: looks like a binary file (it contains NUL bytes); "
        "give a plain-text article",
        latin: f"{latin}:2: not UTF-8 (byte 0xf3 at offset 13); convert it, e.g. "
        f"iconv -f latin1 -t utf-8 {latin} > article.txt",
        tmp_path / "missing.txt": f"{tmp_path / 'missing.txt'}: no such file",
        tmp_path: f"{tmp_path}: is a folder, not a file",
    }
    for path, message in expected.items():
        with pytest.raises(ExtractionError) as exc:
            read_article(path)
        assert str(exc.value) == message


def test_read_article_accepts_a_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffMaduro".encode())
    assert read_article(p) == "Maduro"


def test_chunks_cover_the_text_exactly():
    text = ("word " * 50 + "\n\n") * 2000
    pieces = list(chunks(text, 1000))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1000 for _, p in pieces)
    assert all(text[off : off + len(p)] == p for off, p in pieces)


def test_a_very_long_article_keeps_correct_offsets(ex):
    paragraph = "On 3 January 2026 Nicolás Maduro left. Rodriguez stayed in the U.S. for days.\n\n"
    text = paragraph * (3 * CHUNK_CHARS // len(paragraph))
    assert len(text) > 2 * CHUNK_CHARS
    sentences = list(article_sentences(text, ex))
    assert len(sentences) == 2 * text.count("\n\n")
    spans = [f for s in sentences for f in s.found]
    assert len(spans) == 3 * text.count("\n\n")
    for s in sentences:
        assert text[s.start : s.end] == s.text
    for f in spans:
        assert text[f.start : f.end] == f.text


# --- the statistical model --------------------------------------------------------------------


@pytest.mark.model
def test_model_pipeline_proposes_unknowns_and_curated_matches_win(gaz):
    model = get_extractor(gaz, "model")
    assert model.nlp.pipe_names == ["tok2vec", "ner", "timeline_fold", "entity_ruler"]
    assert "en_core_web_sm" in model.name and model.name.endswith("+gazetteer")
    text = "Maduro's aides met President Gustavo Petro at El Helicoide."
    got = [(f.text, f.label, f.key, f.method) for f in extract([("t", text)], model)]
    # the model alone calls "Maduro's" an ORG and "El Helicoide" an ORG; the gazetteer wins
    assert got == [
        ("Maduro", "PERSON", "n:maduro", "gazetteer"),
        ("Gustavo Petro", "PERSON", None, "model"),
        ("El Helicoide", "FAC", "n:el helicoide", "gazetteer"),
    ]


@pytest.mark.model
def test_auto_prefers_the_model_when_installed(gaz):
    assert resolve_mode("auto") == "model"
    assert get_extractor(gaz, "auto") is get_extractor(gaz, "model")


def test_the_spacy_release_is_told_without_importing_spacy():
    """The build cache keys mentions by it; a patched rebuild never starts spaCy."""
    import spacy

    from timeline.ner import spacy_version

    assert spacy_version() == spacy.__version__


def test_the_actors_a_text_names_count_acronyms_written_with_full_stops():
    from timeline.extract import actors_named_in

    usa = Actor(id="usa", name="USA", kind="country", aliases=["US"])
    ministry = Actor(id="ministry", name="Ministry of Justice", kind="organization")
    assert actors_named_in([usa, ministry], ["The U.S. said so."]) == [usa]
    assert actors_named_in([usa, ministry], ["The ministry spoke; the U.S.A. did not."]) == [
        usa
    ]  # a name is there when all of its words are
    assert actors_named_in([usa, ministry], ["The U.S.A. and the ministry of justice."]) == [
        usa,
        ministry,
    ]
    assert actors_named_in([usa, ministry], ["Nothing here."]) == []
    gaz = Gazetteer.from_actors([usa])
    assert found(get_extractor(gaz, "gazetteer"), "The U.S. said so.") == [
        ("U.S.", "n:us", "gazetteer")
    ]

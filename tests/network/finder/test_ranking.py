"""The pure finder: words, BM25, fusion, filters and explanations, on the directory file."""

import numpy as np
import pytest

from network.finder import dense, evaluation, lexicon, ranking
from network.finder import text as words


@pytest.fixture(scope="module")
def orgs():
    return evaluation.directory_organisations()


@pytest.fixture(scope="module")
def lexical(orgs):
    return ranking.Directory(orgs, None)


@pytest.fixture(scope="module")
def hybrid(orgs):
    model = dense.encoder()
    if model is None:
        pytest.skip("the sentence encoder is not installed")
    vectors = np.stack([dense.organisation_vector(model, org) for org in orgs])
    return ranking.Directory(orgs, vectors), model


def keys(results):
    return [r.key for r in results]


def test_words_fold_accents_and_stem_per_language():
    assert words.fold("Hëllef Élève Straße") == "hellef eleve strasse"
    assert words.terms("les logements accompagnés", "fr") == ["log", "accompagn"]
    assert words.terms("Wohnungen für Familien", "de") == ["wohnung", "famili"]
    # A request word is tried in every language: French and German plurals meet their stem.
    groups = words.query_terms("Familien logements")
    assert "famili" in groups[0] and "log" in groups[1]


def test_the_glossary_widens_a_request_and_splits_compounds():
    groups, glosses = lexicon.expand("Musikworkshops fir Leit am Prisong")
    assert any("musique" in g for g in glosses) and any("prison" in g for g in glosses)
    assert any("concert" in group for group in groups)
    # "personnes âgées" needs both words: "personnes" alone names no concept.
    assert lexicon.expand("des personnes")[1] == []


def test_plain_bm25_finds_a_french_description_from_french_words(lexical):
    assert keys(lexical.search("surendettement des ménages", limit=3))[0] == "lms"


def test_a_german_request_finds_an_organisation_described_only_in_french(hybrid):
    directory, model = hybrid
    request = "Langzeitarbeitslose mit Gartenarbeit und Gemüseanbau wieder in Arbeit bringen"
    vector = dense.encode(model, [ranking.query_text(request)])[0]
    results = directory.search(request, vector, limit=3)
    assert "co-labor" in keys(results)
    assert list(directory.organisations[directory.position["co-labor"]]["descriptions"]) == ["fr"]


def test_filters_keep_only_matching_organisations(lexical):
    town = lexical.search("jeunes", town="Esch-sur-Alzette")
    assert keys(town) in ([], ["uni-alices"])
    sector = lexical.search("jeunes logement", sector="Logement", limit=10)
    assert sector and all("logement" in r.why.lower() or r.key in {"fal", "wunnengshellef",
        "cnds", "ville-lux-social"} for r in sector)  # fmt: skip
    assert lexical.search("jeunes", country="BE") == []
    assert keys(lexical.search("jeunes", language="pt", limit=30)) and all(
        "pt" in lexical.organisations[r.index]["languages"]
        for r in lexical.search("jeunes", language="pt", limit=30)
    )


def test_each_result_says_why_in_one_sentence(lexical):
    result = lexical.search("logement pour familles à faibles revenus", limit=1)[0]
    assert result.key == "fal"
    assert result.why.startswith("Works on logement")
    assert "Assises sociales" in result.why and result.why.endswith(".")


def test_an_empty_or_meaningless_request_finds_nothing(lexical):
    assert lexical.search("") == []
    assert lexical.search("le la les") == []


def test_the_labelled_set_is_large_enough_and_covers_four_languages():
    requests = evaluation.load_requests()
    assert len(requests) >= 30
    assert {r["language"] for r in requests} == {"fr", "de", "en", "lb"}
    known = {org["key"] for org in evaluation.directory_organisations()}
    assert all(set(r["relevant"]) <= known and 2 in r["relevant"].values() for r in requests)


def test_metrics():
    assert evaluation.ndcg(["a", "b"], {"a": 2, "b": 1}) == pytest.approx(1.0)
    assert evaluation.ndcg(["x", "a"], {"a": 2}) == pytest.approx(1 / np.log2(3))
    assert evaluation.recall(["a", "x"], {"a": 2, "b": 1}) == 0.5
    assert evaluation.reciprocal_rank(["x", "y", "a"], {"a": 1}) == pytest.approx(1 / 3)


def test_the_explanation_is_in_the_readers_language(lexical):
    from django.utils import translation

    with translation.override("fr"):
        result = lexical.search("logement pour familles à faibles revenus", limit=1)[0]
    assert result.why.startswith("Travaille sur logement")
    assert "a rencontré d'autres organisations à" in result.why

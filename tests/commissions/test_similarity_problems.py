import time

from commissions import similarity as ps
from commissions.similarity import normalize, similar_pairs, similar_to, stems

SENIORS_A = (
    "Mobilité des seniors en milieu rural. Comment développer une offre de transport à la "
    "demande pour les personnes âgées isolées dans nos villages ?"
)
SENIORS_B = (
    "Transport à la demande : comment le développer pour les personnes âgées isolées des "
    "villages ruraux ? Nous voulons améliorer la mobilité des seniors."
)
WASTE_A = (
    "Réduire les biodéchets dans la restauration scolaire : quelles actions contre le "
    "gaspillage alimentaire dans les cantines des écoles ?"
)
WASTE_B = (
    "Gaspillage alimentaire à la cantine. Quelles actions pour réduire les biodéchets de la "
    "restauration scolaire dans nos écoles ?"
)
FESTIVAL = (
    "Évaluer les retombées économiques du festival de musique d'été sur les commerces et "
    "l'hébergement touristique du centre-ville."
)
# Same public and places as SENIORS_*, different problem.
SENIORS_OTHER = (
    "Isolement des personnes âgées : comment repérer les seniors isolés à domicile et "
    "renforcer les visites de bénévoles dans les villages ?"
)
HOUSING = (
    "Logements vacants : diagnostic du parc privé dégradé et propositions pour remettre ces "
    "logements sur le marché locatif."
)


def score(a: str, b: str) -> float:
    hits = similar_to(a, [("b", b)], threshold=0.1)
    return hits[0][1] if hits else 0.0


def test_normalize_lowercases_strips_accents_punctuation_and_stopwords():
    assert normalize("Élèves À L'ÉCOLE, des Séniors !!") == "eleves ecole seniors"
    assert normalize("The impact of the policy, for and with users") == "impact policy users"
    assert normalize("") == ""
    assert normalize(None) == ""
    assert normalize("le la les de des du") == ""


def test_stems_match_inflections():
    assert stems("rural rurale ruraux ruraux") == ["rural"]
    assert stems("développer développement") == ["develo"]
    assert stems("isolée isolés isolé") == ["isol"]


def test_reworded_problems_score_above_threshold():
    assert score(SENIORS_A, SENIORS_B) >= ps.DEFAULT_THRESHOLD
    assert score(WASTE_A, WASTE_B) >= ps.DEFAULT_THRESHOLD


def test_unrelated_problems_score_below_threshold():
    for a, b in [
        (SENIORS_A, FESTIVAL),
        (SENIORS_A, HOUSING),
        (WASTE_A, FESTIVAL),
        (HOUSING, FESTIVAL),
        (WASTE_B, SENIORS_B),
        (SENIORS_A, SENIORS_OTHER),
        (SENIORS_B, SENIORS_OTHER),
    ]:
        assert score(a, b) < ps.DEFAULT_THRESHOLD, (a, b)


def test_accents_case_and_punctuation_are_ignored():
    shouted = "MOBILITE DES SENIORS EN MILIEU RURAL!!! Comment developper une offre de TRANSPORT"
    plain = "Mobilité des séniors, en milieu rural : comment développer une offre de transport ?"
    assert score(shouted, plain) == 100.0


def test_word_order_is_ignored():
    assert score("transport seniors rural villages", "villages rural seniors transport") == 100.0


def test_pairs_are_unique_sorted_and_above_threshold():
    items = [
        (3, SENIORS_B),
        (1, SENIORS_A),
        (2, FESTIVAL),
        (5, WASTE_B),
        (4, WASTE_A),
        (6, SENIORS_A + " Merci."),
        (7, HOUSING),
    ]
    pairs = similar_pairs(items)
    keys = [(a, b) for a, b, _ in pairs]
    assert len(keys) == len(set(keys))
    assert all(a < b for a, b in keys)
    assert all(s >= ps.DEFAULT_THRESHOLD for _, _, s in pairs)
    assert pairs == sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
    assert {(1, 3), (4, 5), (1, 6), (3, 6)} <= set(keys)
    assert not {k for k in keys if 2 in k or 7 in k}


def test_threshold_filters_pairs():
    items = [(1, SENIORS_A), (2, SENIORS_B), (3, FESTIVAL)]
    low = similar_pairs(items, threshold=1)
    high = similar_pairs(items, threshold=99)
    assert len(low) >= len(similar_pairs(items)) >= len(high)
    assert high == []


def test_empty_texts_never_match():
    items = [(1, ""), (2, "le la les"), (3, None), (4, FESTIVAL)]
    assert similar_pairs(items, threshold=1) == []
    assert similar_to("", items) == []
    assert similar_pairs([]) == []
    assert similar_pairs([(1, FESTIVAL)]) == []


def test_chunked_computation_gives_the_same_pairs(monkeypatch):
    from devtools.management.commands.bench_selection import synthetic_candidates

    _, texts = synthetic_candidates(60, seed=4)
    expected = similar_pairs(texts, threshold=40)
    monkeypatch.setattr(ps, "_ROWS_PER_CHUNK", 7)
    assert similar_pairs(texts, threshold=40) == expected
    assert expected


def test_similar_to_orders_and_limits():
    items = [("past-1", SENIORS_B), ("past-2", FESTIVAL), ("past-3", SENIORS_A), ("x", WASTE_A)]
    hits = similar_to(SENIORS_A, items, limit=5)
    assert [k for k, _ in hits] == ["past-3", "past-1"]
    assert hits[0][1] == 100.0
    assert similar_to(SENIORS_A, items, limit=1) == hits[:1]
    assert similar_to(SENIORS_A, [], limit=1) == []


def test_mixed_key_types_do_not_break_sorting():
    pairs = similar_pairs([(1, SENIORS_A), ("a", SENIORS_B), (2.5, SENIORS_A)])
    assert len(pairs) == 3


def test_five_thousand_items_are_fast():
    from devtools.management.commands.bench_selection import synthetic_candidates

    _, texts = synthetic_candidates(5000, seed=1)
    start = time.perf_counter()
    pairs = similar_pairs(texts)
    assert time.perf_counter() - start < 5.0
    assert pairs


def _reference_stems(text):
    """The character-by-character normalisation stems() replaced with cached tokens."""
    import re
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", (text or "")[: ps._MAX_CHARS].casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[\W_]+", " ", plain).split()
    return sorted({ps._stem(w) for w in words if w not in ps.STOPWORDS})


def test_cached_stems_match_the_character_by_character_normalisation():
    import random

    rng = random.Random(2)
    alphabet = "aeiouxsçéèêëàâîïôöüñßÆœĳﬁ Å̊ç̧ΩДжשׁ漢字ｱｲ①²½"
    alphabet += "\u0301\u0327\u200b\u00a0\u3000.,;'-_\t\nAUX"
    texts = [SENIORS_A, WASTE_B, "ﬁlles  d\u00a0\u0301école", "SEÑORES\u3000ÉLÈVES_x"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50))) for _ in range(3000)]
    for text in texts:
        assert stems(text) == _reference_stems(text), repr(text)


def test_sparse_products_find_the_same_pairs_and_scores():
    from devtools.management.commands.bench_selection import synthetic_candidates

    _, texts = synthetic_candidates(300, seed=5)
    texts += [(1001, ""), (1002, "le la"), (1003, None), (1004, texts[0][1]), ("x", SENIORS_A)]
    keys = [k for k, _ in texts]
    for threshold in (ps.DEFAULT_THRESHOLD, 40, 72.5, 1):
        expected = similar_pairs(texts, threshold=threshold)
        sim = ps.ProblemSimilarity(texts, threshold)
        found = sim.pairs(keys)
        assert sorted(found, key=str) == sorted(expected, key=str)
        # Between some and all: each pair touching them once.
        some = set(keys[::7])
        between = sim.pairs(some, keys)
        assert sorted(between, key=str) == sorted(
            (p for p in expected if p[0] in some or p[1] in some), key=str
        )
    assert ps.ProblemSimilarity(texts, 101).pairs(keys) == []
    assert ps.ProblemSimilarity([], 60).pairs([1]) == []
    assert ps.ProblemSimilarity(texts).pairs(["unknown"], keys) == []

from commissions.similarity import institution_matches, institution_score, normalize_name


def test_normalize_folds_accents_dots_and_stopwords():
    assert normalize_name("C.P.A.S. de Namur") == "cpas namur"
    assert normalize_name("Lire et Écrire — asbl") == "lire ecrire"


def test_cpas_de_namur_matches_cpas_namur():
    rows = [
        (1, "CPAS de Namur", "Namur"),
        (2, "CPAS de Liège", "Liège"),
        (3, "Lire et Écrire", "Namur"),
    ]
    assert institution_matches("C.P.A.S. Namur", "Namur", rows) == [(1, 100.0)]


def test_unrelated_names_do_not_match():
    rows = [(1, "Croix-Rouge de Belgique", "Bruxelles"), (2, "CPAS de Liège", "Liège")]
    assert institution_matches("CPAS de Namur", "Namur", rows) == []
    assert institution_score("AMO Le Cercle", "Namur", "Maison de jeunes", "Namur") < 60


def test_small_typos_match():
    rows = [(7, "Lire et Écrire Brabant wallon", "Nivelles")]
    assert institution_matches("Lire & Ecrire Brabant-Wallon", "Nivelles", rows)[0][0] == 7


def test_empty_input_matches_nothing():
    assert institution_matches("", "Namur", [(1, "CPAS", "Namur")]) == []
    assert institution_matches("de la", "", [(1, "CPAS", "Namur")]) == []

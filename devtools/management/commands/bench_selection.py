"""Benchmark of problem similarity + portfolio optimiser on synthetic calls.

No database access: candidates and texts are generated in memory, so the command
runs on a fresh checkout. The core is run_bench(), callable from plain Python.
"""

from __future__ import annotations

import gc
import json
import os
import random
import time

from django.core.management.base import BaseCommand, CommandError

from commissions import similarity as problem_similarity
from commissions.selection.portfolio import (
    Candidate,
    SelectionParams,
    greedy_baseline,
    objective_value,
    select,
)
from commissions.similarity import ProblemSimilarity

SECTORS = [
    "Collectivité territoriale",
    "Association",
    "Santé",
    "Éducation",
    "Culture",
    "Environnement",
    "Économie sociale et solidaire",
    "Transport",
    "Logement social",
    "Agriculture",
    "Numérique",
    "Sport",
]
TYPES = ["Diagnostic", "Évaluation", "Étude de faisabilité", "Stratégie", "Enquête", "Animation"]
CONTEXTS = [
    "Urbain",
    "Rural",
    "Périurbain",
    "Littoral",
    "Montagne",
    "Quartier prioritaire",
    "Métropole",
    "Transfrontalier",
]

# Theme -> words a problem on that theme tends to use.
THEMES = {
    "mobilité": ["covoiturage", "transport à la demande", "pistes cyclables", "navettes"],
    "logement": ["vacance des logements", "colocation", "bailleurs", "rénovation"],
    "alimentation durable": ["restauration collective", "produits locaux", "gaspillage"],
    "énergie": ["autoconsommation", "réseau de chaleur", "sobriété", "photovoltaïque"],
    "inclusion numérique": ["démarches en ligne", "médiateurs", "équipement informatique"],
    "santé mentale": ["souffrance psychique", "prévention", "orientation", "écoute"],
    "insertion professionnelle": ["chantiers d'insertion", "employeurs", "formation"],
    "biodiversité": ["trame verte", "espèces protégées", "prairies", "zones humides"],
    "déchets": ["tri à la source", "biodéchets", "recyclerie", "redevance incitative"],
    "eau": ["sécheresse", "nappes phréatiques", "irrigation", "assainissement"],
    "tourisme": ["saisonnalité", "hébergements", "randonnée", "fréquentation touristique"],
    "culture": ["médiathèque", "spectacle vivant", "résidences d'artistes", "patrimoine"],
    "sport": ["clubs", "équipements sportifs", "licenciés", "sport santé"],
    "décrochage scolaire": ["collégiens", "absentéisme", "parents d'élèves", "tutorat"],
    "vieillissement": ["maintien à domicile", "aidants", "isolement", "résidences autonomie"],
    "jeunesse": ["engagement", "service civique", "conseil de jeunes", "loisirs"],
    "agriculture": ["installation", "foncier agricole", "circuits courts", "maraîchage"],
    "commerce": ["vitrines vides", "marché hebdomadaire", "artisans", "centre-bourg"],
    "climat": ["îlots de chaleur", "adaptation", "végétalisation", "bilan carbone"],
    "démocratie locale": ["budget participatif", "concertation", "conseils de quartier"],
    "accès aux soins": ["déserts médicaux", "maison de santé", "télémédecine"],
    "petite enfance": ["crèches", "assistantes maternelles", "modes de garde"],
    "précarité": ["aide alimentaire", "non-recours aux droits", "hébergement d'urgence"],
    "économie circulaire": ["réemploi", "ressourcerie", "matériaux biosourcés"],
}
PUBLICS = [
    "les seniors",
    "les jeunes de 16 à 25 ans",
    "les familles monoparentales",
    "les habitants des quartiers prioritaires",
    "les agriculteurs",
    "les étudiants",
    "les personnes en situation de handicap",
    "les bénévoles",
    "les très petites entreprises",
    "les agents municipaux",
    "les demandeurs d'emploi",
    "les usagers",
    "les nouveaux arrivants",
    "les commerçants",
    "les saisonniers",
    "les élus",
]
PLACES = [
    "en milieu rural",
    "dans la métropole",
    "sur le territoire intercommunal",
    "dans les communes littorales",
    "en zone de montagne",
    "dans le centre-ville",
    "dans la vallée",
    "dans le département",
    "dans les villages du plateau",
    "à l'échelle du pays",
    "dans les bourgs-centres",
    "dans le bassin de vie",
]
# (plain verb, synonym used by rewordings)
VERBS = [
    ("améliorer", "renforcer"),
    ("évaluer", "mesurer"),
    ("développer", "étendre"),
    ("repenser", "réorganiser"),
    ("accompagner", "soutenir"),
    ("structurer", "consolider"),
    ("diagnostiquer", "analyser"),
    ("faciliter", "simplifier"),
    ("promouvoir", "valoriser"),
    ("mutualiser", "partager"),
]
OBJECTS = [
    ("l'accès", "l'accessibilité"),
    ("l'offre de services", "les services proposés"),
    ("la coordination des acteurs", "le travail en réseau des partenaires"),
    ("l'impact", "les effets"),
    ("la gouvernance", "le pilotage"),
    ("le modèle économique", "le financement"),
    ("la communication", "l'information"),
    ("les usages", "les pratiques"),
    ("le dispositif d'accueil", "l'accueil"),
    ("la fréquentation", "l'attractivité"),
    ("l'organisation", "le fonctionnement"),
    ("la stratégie", "la feuille de route"),
]
EXTRAS = [
    "à l'horizon 2030",
    "avec un budget contraint",
    "en lien avec les partenaires associatifs",
    "dans le cadre du plan climat",
    "à partir des données existantes",
    "en s'appuyant sur une enquête de terrain",
    "en comparant avec d'autres territoires",
    "avant le renouvellement du contrat",
    "suite à la fusion des communes",
    "après la fermeture d'un service",
    "alors que la population augmente",
    "malgré un fort turn-over des équipes",
]
GOALS = [
    "Nous attendons des recommandations opérationnelles",
    "L'équipe proposera des scénarios chiffrés",
    "Les résultats seront présentés aux élus",
    "Un benchmark des pratiques est souhaité",
    "Des entretiens avec les usagers sont à prévoir",
    "Une cartographie des acteurs serait utile",
    "Un questionnaire pourra être diffusé",
    "Le livrable prendra la forme d'un guide",
    "Des ateliers participatifs sont envisagés",
    "Une note de synthèse suffira",
]
QUESTIONS = [
    "Comment {verb} {obj} pour {public} {place} {extra} ?",
    "Quelles pistes pour {verb} {obj} {place}, {extra}, auprès de {public} ?",
    "{Obj} : comment les {verb} {place} {extra} ?",
    "Nous cherchons à {verb} {obj} {place} pour {public}, {extra}.",
    "Pouvez-vous nous aider à {verb} {obj} ({public}) {place} ?",
]

# Share of candidates written as a rewording of an earlier one (same problem).
REWORD_SHARE = 0.06
INELIGIBLE_SHARE = 0.05


def _problem(rng: random.Random) -> dict:
    theme = rng.choice(sorted(THEMES))
    return {
        "theme": theme,
        "keywords": rng.sample(THEMES[theme], 2),
        "public": rng.choice(PUBLICS),
        "place": rng.choice(PLACES),
        "verb": rng.choice(VERBS),
        "obj": rng.choice(OBJECTS),
        "extra": rng.choice(EXTRAS),
        "template": rng.randrange(len(QUESTIONS)),
        "goal": rng.choice(GOALS),
    }


def _write(p: dict, rng: random.Random, reworded: bool) -> str:
    # A rewording keeps the problem (theme, keywords, public, place) but swaps in
    # synonyms, another question template and another closing sentence.
    k = 1 if reworded else 0
    verb, obj = p["verb"][k], p["obj"][k]
    template = rng.randrange(len(QUESTIONS)) if reworded else p["template"]
    goal = rng.choice(GOALS) if reworded else p["goal"]
    first, second = p["keywords"][::-1] if reworded else p["keywords"]
    title = f"{p['theme'].capitalize()} et {first} : {verb} {obj}"
    question = QUESTIONS[template].format(
        verb=verb,
        obj=obj,
        Obj=obj[0].upper() + obj[1:],
        public=p["public"],
        place=p["place"],
        extra=p["extra"],
    )
    return f"{title}. {question} Enjeux : {first}, {second}. {goal}."


def synthetic_candidates(size: int, seed: int) -> tuple[list[Candidate], list[tuple[int, str]]]:
    """Random candidates and their problem texts; a few texts reword earlier ones."""
    rng = random.Random(seed)
    candidates: list[Candidate] = []
    texts: list[tuple[int, str]] = []
    problems: list[dict] = []
    for i in range(1, size + 1):
        if problems and rng.random() < REWORD_SHARE:
            text = _write(rng.choice(problems), rng, reworded=True)
        else:
            problems.append(_problem(rng))
            text = _write(problems[-1], rng, reworded=False)
        candidates.append(
            Candidate(
                id=i,
                merit=round(rng.uniform(0.0, 4.0), 2),
                sector=rng.choice(SECTORS),
                ctype=rng.choice(TYPES),
                context=rng.choice(CONTEXTS),
                eligible=rng.random() >= INELIGIBLE_SHARE,
                label=f"C{i}",
            )
        )
        texts.append((i, text))
    return candidates, texts


# The app's default waiting list (selecting.DEFAULT_WAITLIST): the commissions explained
# in words beside the selected ones.
WAITLIST = 5


def run_bench(size: int, places: int = 10, seed: int = 0, waitlist: int = WAITLIST) -> dict:
    """One benchmark line, timed as run_selection runs it: similarity is building the stem
    matrix and every pair asked of it, report the order, explanations and summary, solve
    the rest (warm start, reduction, HiGHS, tie-breaking). The greedy baseline is not timed."""
    candidates, texts = synthetic_candidates(size, seed)
    params = SelectionParams(places=places, explained=waitlist)
    problem_similarity._TOKENS.clear()  # every size stems its texts from scratch
    gc.collect()  # not the garbage of building the synthetic call

    start = time.perf_counter()
    similarity = ProblemSimilarity(texts)
    result = select(candidates, params, similarity=similarity)
    seconds = time.perf_counter() - start
    similarity_seconds = similarity.seconds

    _greedy_ids, greedy_obj = greedy_baseline(candidates, params, similarity=similarity)
    objective = objective_value(result.selected, candidates, params, result.pairs)
    return {
        "candidates": size,
        "places": places,
        "considered": result.considered,
        "pairs_touching_selection": len(result.pairs),
        "similarity_seconds": round(similarity_seconds, 3),
        "solve_seconds": round(seconds - similarity_seconds - result.report_seconds, 3),
        "report_seconds": round(result.report_seconds, 3),
        "seconds": round(seconds, 3),
        "feasible": result.feasible,
        "optimal": result.optimal,
        "objective": round(objective, 4),
        "greedy_objective": round(greedy_obj, 4),
        "gap_vs_greedy": round(objective - greedy_obj, 4),
        # Timings on a shared machine mean little without it.
        "load_average": round(os.getloadavg()[0], 2),
    }


class Command(BaseCommand):
    help = "Time problem similarity and the portfolio optimiser on synthetic calls (no database)."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated sizes")
        parser.add_argument("--places", type=int, default=10)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--waitlist", type=int, default=WAITLIST, help="waitlisted explained in words"
        )

    def handle(self, *args, **options):
        try:
            sizes = [int(s) for s in options["sizes"].split(",") if s.strip()]
        except ValueError as exc:
            raise CommandError("--sizes must be comma-separated integers, e.g. 100,1000") from exc
        # A server process has loaded its translations and solver before the first run.
        run_bench(300, options["places"], options["seed"] + 1, options["waitlist"])
        for size in sizes:
            line = run_bench(size, options["places"], options["seed"], options["waitlist"])
            self.stdout.write(json.dumps(line))

"""Words of a request or a description: folded accents, stop words out, stems per language.

Pure Python (snowballstemmer), no Django: the finder, its tests and the bench share it.
A request's language is unknown, so each of its words is stemmed for every language the
directory speaks; an organisation's words are stemmed for the language of their text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# Luxembourgish has no Snowball stemmer; German's is the closest relative.
STEMMER_OF = {"fr": "french", "de": "german", "en": "english", "lb": "german", "pt": "portuguese"}
LANGUAGES = ("fr", "de", "en", "lb")

STOP_WORDS = {
    "fr": """a au aux avec ce ces cette dans de des du elle en et est il ils je la le les leur
        leurs mais me mes mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sont
        sur ta te tes ton tu un une vos votre vous y l d j s c n qu sommes avons voulons veut
        voudrions cherchons cherche faire comment quel quelle quels quelles peut pouvons plus
        tres aussi etre avoir chez entre dont tout tous toute toutes ainsi""",
    "de": """aber als am an auch auf aus bei bin bis das dass dem den der des die du ein eine
        einem einen einer eines er es fur hat ich ihr im in ist ja kann mit nach nicht noch oder
        sich sie sind so um und uns unser unsere unseren unserer vom von vor war was wer wie wir
        wird zu zum zur wollen mochten suchen brauchen konnen sollen welche welcher wo""",
    "en": """a an and are as at be by can do for from has have how i in into is it its of on
        or our ours that the their them they this to us we want was were what which who will
        with would looking need needs help like""",
    "lb": """a an all als as bei bis dat de den der des dem di do dei déi e eis eisen eiser
        eng engem enger ech fir gëtt hunn hätte mat mir mer net no och ons si sinn an ze zu
        wëlle wollen wéi wou wat kënnen brauchen sichen""",
}
# Words of any request that name no need: asking for help, a partner, people.
STOP_WORDS["request"] = """aide aider help helfen hilfe hellef partenaire partner partenaires
    association organisation organization verein associatioun structure service services
    personne personnes people person menschen leute leit someone quelqu un jemand
    besoin need bedarf trouver find finden fannen"""
_STOP = frozenset(
    unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode()
    for words in STOP_WORDS.values()
    for w in words.split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents: 'Hëllef Élève' -> 'hellef eleve'."""
    text = (text or "").lower().replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def words(text: str) -> list[str]:
    """The words that carry meaning, lower case with their accents (stemmers need them)."""
    found = []
    for word in _WORD.findall((text or "").lower()):
        folded = fold(word)
        if len(folded) > 1 and folded not in _STOP and not folded.isdigit():
            found.append(word)
    return found


_LOCAL = threading.local()


def _stemmer(language):
    """One stemmer per thread and language: a Snowball stemmer keeps its word in itself, so
    two requests stemming at once with a shared one read each other's (IndexError)."""
    stemmers = getattr(_LOCAL, "stemmers", None)
    if stemmers is None:
        stemmers = _LOCAL.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(STEMMER_OF.get(language, "french"))
    return stemmers[language]


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    return fold(_stemmer(language).stemWord(word))


def terms(text: str, language: str) -> list[str]:
    """An organisation's text as index terms, stemmed in its language."""
    return [stem(w, language) for w in words(text)]


def query_terms(text: str, languages=LANGUAGES) -> list[frozenset[str]]:
    """A request as groups of alternative terms, one group per word (its stem in each language)."""
    return [frozenset(stem(w, lang) for lang in languages) | {fold(w)} for w in words(text)]


def guess_language(text: str) -> str:
    """The likeliest of fr/de/en/lb for a short text, from its stop words (fr when unsure)."""
    tokens = [fold(w) for w in _WORD.findall((text or "").lower())]
    best, best_count = "fr", 0
    for language in LANGUAGES:
        stops = {fold(w) for w in STOP_WORDS[language].split()}
        count = sum(token in stops for token in tokens)
        if count > best_count:
            best, best_count = language, count
    return best

"""The finder's text analysis answers several requests at once (gunicorn threads, htmx)."""

from concurrent.futures import ThreadPoolExecutor

from network.finder import text


def test_stemming_in_parallel_threads_gives_the_same_stems():
    words = [f"accompagnements{i}" for i in range(300)] + ["Langzeitarbeitslosigkeit"] * 50
    expected = [text.fold(text.snowballstemmer.stemmer("french").stemWord(w)) for w in words]
    text.stem.cache_clear()

    def stem_all(_):
        return [text.fold(text._stemmer("fr").stemWord(w)) for w in words]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(stem_all, range(16)))
    assert all(found == expected for found in results)

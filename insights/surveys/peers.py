"""Peer assessment shown only as aggregates, and only when enough teammates rated (pure)."""

from statistics import mean

MIN_RATERS = 2


def peer_summary(ratings, min_raters=MIN_RATERS):
    """{peer: (raters, mean score) or (raters, None) when fewer than `min_raters` rated}.

    `ratings` are (rater, peer, score); a rater counts once per peer. Below the threshold
    the mean is withheld: with a single rater it would be that student's answer."""
    by_peer = {}
    for rater, peer, score in ratings:
        by_peer.setdefault(peer, {})[rater] = score
    return {
        peer: (len(scores), round(mean(scores.values()), 2) if len(scores) >= min_raters else None)
        for peer, scores in by_peer.items()
    }

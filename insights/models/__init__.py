"""The insights app's models, one module per wing."""

from insights.models.surveys import (
    OralFeedback,
    PeerRating,
    SurveyAnswer,
    SurveyRound,
)

__all__ = ["OralFeedback", "PeerRating", "SurveyAnswer", "SurveyRound"]

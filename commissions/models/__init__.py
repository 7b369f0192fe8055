"""The commissions app's models, one module per sub-domain; the app label stays `commissions`."""

from commissions.models.accounts import Profile
from commissions.models.calls import (
    Call,
    CommissionType,
    Commitment,
    Criterion,
    InterventionContext,
    KeyDate,
    PastConsultancy,
    Programme,
    Sector,
    Vocabulary,
    check_same_call,
    copy_call,
    copy_slug,
    parse_reminder_days,
    shifted_year,
    validate_reminder_days,
    weeks_for_years,
)
from commissions.models.intake import (
    AccessToken,
    AccessTokenQuerySet,
    Commission,
    CommissionEvent,
    CommissionQuerySet,
    Institution,
    hash_token,
)
from commissions.models.outbox import (
    DecisionKind,
    Email,
    MessageTemplate,
)
from commissions.models.review import (
    Note,
    Review,
    ReviewAssignment,
)
from commissions.models.selection import (
    RunResult,
    SelectionRun,
)

__all__ = [
    "Profile",
    "Programme",
    "parse_reminder_days",
    "validate_reminder_days",
    "Call",
    "Commitment",
    "KeyDate",
    "Criterion",
    "Vocabulary",
    "Sector",
    "InterventionContext",
    "CommissionType",
    "PastConsultancy",
    "weeks_for_years",
    "copy_call",
    "check_same_call",
    "copy_slug",
    "shifted_year",
    "Institution",
    "CommissionQuerySet",
    "Commission",
    "CommissionEvent",
    "hash_token",
    "AccessTokenQuerySet",
    "AccessToken",
    "ReviewAssignment",
    "Review",
    "Note",
    "RunResult",
    "SelectionRun",
    "DecisionKind",
    "Email",
    "MessageTemplate",
]

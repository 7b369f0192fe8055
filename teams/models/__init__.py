"""The teams app's models, one module per wing; the app label stays `teams`."""

from teams.models.follow import (
    CalendarFeed,
    Deliverable,
    Feedback,
    Milestone,
    MilestoneQuerySet,
    PrivateStorage,
    Reminder,
    deliverable_path,
    new_feed_token,
    private_storage,
)
from teams.models.forming import (
    AllocationRun,
    Team,
    TeamEvent,
    TeamQuerySet,
)
from teams.models.people import (
    Person,
    PersonQuerySet,
    Preference,
    PreferenceQuerySet,
    RosterImport,
    Student,
    Supervisor,
)

__all__ = [
    "PersonQuerySet",
    "Person",
    "Student",
    "Supervisor",
    "PreferenceQuerySet",
    "Preference",
    "RosterImport",
    "AllocationRun",
    "TeamQuerySet",
    "Team",
    "TeamEvent",
    "PrivateStorage",
    "private_storage",
    "MilestoneQuerySet",
    "Milestone",
    "deliverable_path",
    "Deliverable",
    "Feedback",
    "Reminder",
    "new_feed_token",
    "CalendarFeed",
]

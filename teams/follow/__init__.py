"""Following the year: milestones, documents, feedback, reminders, calendars, the board."""

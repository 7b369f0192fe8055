"""The outbox: every e-mail queued once, delivered by a django-q2 task, shown to coordinators."""

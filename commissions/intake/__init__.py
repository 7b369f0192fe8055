"""Intake: the submission form, the institution, its private link and page."""

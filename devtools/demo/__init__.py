"""Builders of the demo data, called by manage.py load_demo."""

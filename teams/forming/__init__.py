"""Forming the teams: the allocation solver (allocation.py), proposals, edits, publishing."""

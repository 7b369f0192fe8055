"""The coordinators' wording of decision e-mails: plain text with a fixed set of placeholders.

A stored wording is never compiled as a template: `{title}` and its like are replaced by
plain text, in one pass (a title that contains "{link}" stays as typed), and nothing else
can be reached. Pure: no database, no Django template engine.
"""

import re

# name -> what it stands for (the labels live with the model, translated)
NAMES = (
    "title",
    "reference",
    "contact_name",
    "institution",
    "call",
    "programme",
    "link",
    "position",
)
_ANY = re.compile(r"\{+([^{}]*)\}+")
_KNOWN = re.compile(r"\{\s*(" + "|".join(NAMES) + r")\s*\}")


def unknown(text):
    """The brace groups of text that are not placeholders, in order, each once
    ("{{ title }}" is not one either: one brace on each side)."""
    found = []
    for match in _ANY.finditer(text or ""):
        whole, inner = match.group(0), match.group(1)
        known = inner.strip() in NAMES and whole == "{" + inner + "}"
        if not known and whole not in found:
            found.append(whole)
    return found


def substitute(text, values):
    """text with every known placeholder replaced by str(values[name]) ('' when missing)."""

    def replace(match):
        value = values.get(match.group(1))
        return "" if value is None else str(value)

    return _KNOWN.sub(replace, text or "")


# The Django-template wording stored before placeholders, and what it becomes.
LEGACY = {
    "commission.title": "title",
    "commission.reference": "reference",
    "commission.contact_name": "contact_name",
    "institution.name": "institution",
    "commission.institution.name": "institution",
    "call.title": "call",
    "call.programme.name": "programme",
    "call.programme": "programme",
    "link": "link",
    "position": "position",
    "commission.waitlist_position": "position",
}
_LEGACY = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def from_legacy(text):
    """A stored Django-template wording in placeholders; what has no placeholder is kept."""
    return _LEGACY.sub(
        lambda m: "{" + LEGACY[m.group(1)] + "}" if m.group(1) in LEGACY else m.group(0),
        text or "",
    )

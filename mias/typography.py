"""French typography for text composed outside the catalogue (e-mails, joined labels).

French puts a no-break space before ``:`` ``;`` ``?`` ``!`` ("Référence : MIAS-12"), so that
the sign never starts a line. The catalogue's French strings carry it already
(tests/mias/test_catalogues.py checks); this adds it where a template or the code puts a
translated label and a value side by side ("{% translate 'Reference' %}: …").
"""

import re

NBSP = "\u00a0"

# A sign after a word (or a closing quote, bracket or percent), with or without a space
# before it, and followed by a space or the end of the line: not "https://", "14:30" or "?q=".
_BEFORE_SIGN = re.compile(r"(?<=[\w»)\]%’\"])[ \u00a0\u202f]?([:;?!]+)(?=\s|$)", re.MULTILINE)


def french_spacing(text: str) -> str:
    """The text with a no-break space before each high punctuation sign."""
    return _BEFORE_SIGN.sub(lambda m: NBSP + m.group(1), text)


# A list item of an e-mail, "- Label: value": the label is the template's, the value the
# user's. Only the sign right after the label is spaced: what the user typed stays as typed.
_LABEL = re.compile(r"^([ \t]*- [^\n:;?!]{1,60}?)[ \u00a0\u202f]?:(?=[ \t]|$)", re.MULTILINE)


def label_spacing(text: str) -> str:
    """French spacing after the labels of "- Label: value" lines, nowhere else."""
    return _LABEL.sub(lambda m: m.group(1) + NBSP + ":", text)


def for_language(text: str, language: str | None) -> str:
    """French label spacing when the reader reads French; the text unchanged otherwise.

    Sentences come from the catalogue, whose French already carries its no-break spaces
    (checked by tests/mias/test_catalogues.py); names and titles are left as typed."""
    if (language or "").split("-")[0] == "fr":
        return label_spacing(text)
    return text

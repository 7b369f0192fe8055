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


def for_language(text: str, language: str | None) -> str:
    """French spacing when the reader reads French; the text unchanged otherwise."""
    if (language or "").split("-")[0] == "fr":
        return french_spacing(text)
    return text

"""Translation for the pure decision modules, which must also run without Django settings.

The optimisers format thousands of explanations from a few dozen messages, so a message is
looked up once per language. Without configured settings (unit tests without a database,
benches) the English text is returned as it is.
"""

_TRANSLATED: dict[tuple, str] = {}


def _configured():
    try:
        from django.conf import settings  # at call time: importing this module needs no Django

        return settings.configured
    except Exception:
        return False


def gettext(message: str) -> str:
    if not _configured():
        return message
    from django.utils.translation import get_language
    from django.utils.translation import gettext as django_gettext

    key = (get_language(), message)
    text = _TRANSLATED.get(key)
    if text is None:
        text = _TRANSLATED[key] = django_gettext(message)
    return text


def ngettext(singular: str, plural: str, number: int) -> str:
    if not _configured():
        return singular if number == 1 else plural
    from django.utils.translation import ngettext as django_ngettext

    return django_ngettext(singular, plural, number)


# --- Messages kept as data ----------------------------------------------------------------
# The optimisers explain their results with Message objects: a str (the text in the language
# active when made, so every string operation still works) that also keeps its message id,
# plural, count and parameters. Stored with to_data() as codes and numbers, an explanation
# is rendered again with render() in the reader's language and number format.


class Message(str):
    """Text in the active language that remembers how to say it again in another one."""

    data: dict | str

    def __new__(cls, text, data):
        obj = super().__new__(cls, text)
        obj.data = data
        return obj

    def __getnewargs__(self):  # copy, deepcopy and pickle keep the data
        return (str(self), self.data)

    def __mod__(self, params):
        if not isinstance(self.data, dict) or "m" not in self.data or not isinstance(params, dict):
            return super().__mod__(params)
        data = {**self.data, "a": {k: to_data(v) for k, v in params.items()}}
        return Message(render(data), data)

    def __add__(self, other):
        return join("", [self, other])

    def __radd__(self, other):
        return join("", [other, self])


def _active_language():
    if not _configured():
        return None
    from django.utils.translation import get_language

    return get_language()


def named(texts: dict, current: str) -> Message:
    """A name known in several languages ({code: text}), e.g. a sector in an explanation."""
    return Message(current, {"t": dict(texts)})


def message(msgid: str) -> Message:
    """gettext that keeps the message id: `message("… %(n)d …") % {"n": 3}`."""
    return Message(gettext(msgid), {"m": msgid})


def nmessage(singular: str, plural: str, number: int) -> Message:
    data = {"m": singular, "p": plural, "n": int(number)}
    return Message(ngettext(singular, plural, number), data)


def join(separator: str, parts) -> Message:
    parts = list(parts)
    data = {"j": separator, "l": [to_data(p) for p in parts]}
    return Message(separator.join(str(p) for p in parts), data)


def sentence(part) -> Message:
    """Capital first letter and a final full stop, kept as data too."""
    data = {"j": "", "l": [to_data(part), "."], "cap": 1}
    text = str(part)
    return Message(text[:1].upper() + text[1:] + ".", data)


def to_json(value):
    """A result ready for a JSONField: every Message as its data, numpy scalars as numbers."""
    if isinstance(value, Message):
        return value.data
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def to_data(value):
    """JSON-ready: a Message's structure; numbers, strings and None as they are."""
    if isinstance(value, Message):
        return value.data
    if isinstance(getattr(value, "label", None), Message):  # an id printed as a name
        return value.label.data
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    if isinstance(value, (str, int, float)) or value is None:
        return value
    return str(value)


_PLACEHOLDER = None


def _number(value, decimals=None):
    if not _configured():
        return f"{value:.{decimals}f}" if decimals is not None else str(value)
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=decimals)


def render(data) -> str:
    """The text of stored message data in the active language; old plain text as it is."""
    global _PLACEHOLDER
    if data is None:
        return ""
    if isinstance(data, str):
        return data  # legacy text, or a plain parameter (a name)
    if isinstance(data, (int, float)):
        return _number(data)
    if not isinstance(data, dict):
        return str(data)
    if "num" in data:
        return _number(float(data["num"]), data.get("dp"))
    if "t" in data:  # a name in every language (a sector…): the reader's, else the first
        texts = data["t"]
        language = _active_language()
        return str(texts.get(language) or next(iter(texts.values()), ""))
    if "j" in data:
        text = str(data["j"]).join(render(part) for part in data.get("l", []))
        return text[:1].upper() + text[1:] if data.get("cap") else text
    if "m" not in data:
        return ""
    if "p" in data:
        template = ngettext(data["m"], data["p"], int(data.get("n", 1)))
    else:
        template = gettext(data["m"])
    params = data.get("a")
    if params is None:
        return template
    if _PLACEHOLDER is None:
        import re

        _PLACEHOLDER = re.compile(r"%(?:\((\w+)\)[#0\- +]*\d*(?:\.(\d+))?([sdifr])|%)")

    def fill(match):
        if match.group(0) == "%%":
            return "%"
        name, decimals, kind = match.groups()
        value = params.get(name)
        if kind in "df" and isinstance(value, (int, float)):
            if kind == "d":
                return _number(int(value))
            return _number(float(value), int(decimals) if decimals else 6)
        return render(value)

    return _PLACEHOLDER.sub(fill, template)


# --- Old runs stored as text --------------------------------------------------------------
# Runs made before explanations were data hold sentences in one language. parse_legacy()
# finds the message (and its parameters) each sentence was made from, in any of the site's
# languages, so that it reads again in the reader's; a sentence it cannot read stays text.


def _po_messages(path, sources=()):
    """(msgid, msgid_plural or None) of a .po file, without any third-party parser.

    With sources, only the messages used in files whose path starts with one of them
    (the "#:" location comments)."""
    import ast

    entries, current, key = [], {"where": []}, None
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or (line.startswith("#") and "msgid" in current):
            if "msgid" in current:
                entries.append(current)
                current, key = {"where": []}, None
            if not line:
                continue
        if line.startswith("#:"):
            current["where"] += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        for name in ("msgid_plural", "msgid", "msgctxt", "msgstr"):
            if line.startswith(name + " ") or line.startswith(name + "["):
                key = name
                current[key] = ast.literal_eval(line.split(" ", 1)[1])
                break
        else:
            if line.startswith('"') and key:
                current[key] += ast.literal_eval(line)
    if "msgid" in current:
        entries.append(current)
    return [
        (e["msgid"], e.get("msgid_plural"))
        for e in entries
        if e.get("msgid") and (not sources or any(w.startswith(sources) for w in e["where"]))
    ]


def _template_regex(template):
    import re

    parts, names, position = [], [], 0
    pattern = re.compile(r"%(?:\((\w+)\)[#0\- +]*\d*(?:\.\d+)?([sdifr])|%)")
    for match in pattern.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        position = match.end()
        if match.group(0) == "%%":
            parts.append("%")
            continue
        name, kind = match.groups()
        if name in names:
            parts.append(f"(?P={name})")
            continue
        names.append(name)
        number = r"-?[\d\u202f\u00a0.,']+"
        parts.append(f"(?P<{name}>{number})" if kind in "dif" else f"(?P<{name}>.+?)")
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts) + r"\Z", re.S), names


def _to_number(text):
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace("'", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in cleaned else value


def _legacy_decimal(text):
    """A decimal() written as text in an old run ("1,50" or "1.50"), as number data again."""
    import re

    match = re.fullmatch(r"(-?\d+)[.,](\d+)", text.strip())
    if not match:
        return None
    return {"num": float(f"{match[1]}.{match[2]}"), "dp": len(match[2])}


# The modules whose sentences were stored as text in the runs.
EXPLAINERS = ("commissions/selection/", "teams/forming/allocation")


class LegacyReader:
    """Reads old explanation sentences back into message data (see parse_legacy)."""

    def __init__(self, po_path, languages, sources=EXPLAINERS):
        from django.utils import translation

        self.exact, self.patterns = {}, []
        for msgid, plural in _po_messages(po_path, tuple(sources)):
            if "%(" not in msgid and "%" in msgid:
                continue
            for code in languages:
                with translation.override(code):
                    forms = (
                        [(ngettext(msgid, plural, n), n) for n in (1, 2, 5)]
                        if plural
                        else [(gettext(msgid), None)]
                    )
                for text, n in forms:
                    data = {"m": msgid} if plural is None else {"m": msgid, "p": plural, "n": n}
                    if "%(" not in text:
                        self.exact.setdefault(text, data)
                    else:
                        regex, names = _template_regex(text)
                        self.patterns.append((regex, names, data, text))
        # Longer templates first: the most specific reading wins.
        self.patterns.sort(key=lambda item: -len(item[3]))

    def parse(self, text, depth=0):
        """Message data for this text, or None when no message reads it."""
        if not isinstance(text, str) or not text.strip() or depth > 6:
            return None
        if text in self.exact:
            return dict(self.exact[text])
        for regex, names, data, _template in self.patterns:
            match = regex.match(text)
            if not match:
                continue
            params, ok = {}, True
            for name in names:
                raw = match.group(name)
                if regex.pattern.find(f"(?P<{name}>-?[") >= 0:
                    params[name] = _to_number(raw)
                    if isinstance(params[name], str):
                        ok = False
                        break
                else:
                    params[name] = (
                        _legacy_decimal(raw)
                        or self._parts(raw, depth)
                        or self.parse(raw, depth + 1)
                        or raw
                    )
            if ok:
                found = dict(data)  # a plural keeps the count of the form it matched
                found["a"] = params
                return found
        return None

    def _parts(self, text, depth):
        for separator in ("; ", ". ", ", "):
            if separator not in text:
                continue
            pieces = text.split(separator)
            if separator == ". ":
                pieces = [p if p.endswith(".") else p + "." for p in pieces[:-1]] + pieces[-1:]
                separator = " "
            read = [self.parse(p, depth + 1) for p in pieces]
            if all(read):
                return {"j": separator, "l": read}
        return None


def parse_legacy(text, reader):
    """Message data for an old stored sentence; the text itself when it cannot be read."""
    if not isinstance(text, str) or not text:
        return text
    # Split first: a template with a free %(x)s would swallow a whole paragraph.
    found = reader._parts(text, 0) or reader.parse(text)
    if found is None and text.endswith("."):  # a sentence() of lower-case parts
        inner = text[:1].lower() + text[1:-1]
        part = reader._parts(inner, 0) or reader.parse(inner)
        if part is not None:
            found = {"j": "", "l": [part, "."], "cap": 1}
    return found or text


def convert_legacy_results(model, keys=(), maps=()):
    """Rewrite the text sentences of stored results as message data (a data migration).

    keys name single sentences of model.result, maps dictionaries of sentences."""
    from pathlib import Path

    from django.conf import settings

    rows = [row for row in model.objects.all() if isinstance(row.result, dict)]
    if not rows:
        return 0
    po = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    reader = LegacyReader(po, [code for code, _name in settings.LANGUAGES])
    for row in rows:
        result = row.result
        for key in keys:
            if isinstance(result.get(key), str):
                result[key] = parse_legacy(result[key], reader)
        for key in maps:
            sentences = result.get(key)
            if isinstance(sentences, dict):
                for item, text in sentences.items():
                    sentences[item] = parse_legacy(text, reader)
        row.save(update_fields=["result"])
    return len(rows)


def decimal(value, places: int = 2) -> Message:
    """A number with `places` decimals in the reader's locale ("4,00" in French, "4.00" in
    English), kept as data so that a stored explanation shows it in the reader's format."""
    value = float(value)
    return Message(_number(value, places), {"num": value, "dp": places})

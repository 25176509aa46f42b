"""The optional learned layer: TF-IDF of word and character n-grams, logistic regression.

Training needs scikit-learn (the `ml` extra); scoring does not. After fitting, the model is
exported as plain numbers (per-feature idf and weight, one intercept) to a gzip JSON file
and scored here in pure Python with the same analyzer, so that:

* loading a model never unpickles anything from the data folder;
* the bot does not need scikit-learn at run time;
* one message scores in tens of microseconds, instead of sklearn's per-call overhead.

The model alone never expels anybody: the engine turns its flags into `action=review`.
"""

from __future__ import annotations

import gzip
import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from moderation.normalise import normalise

MODEL_FILE = "offensive-v1.json.gz"
FORMAT = "cassbot-linear-v1"


def analyze(text: str) -> list[str]:
    """Features of a text: normalised words, word bigrams, character 2–5-grams in words."""
    tokens = normalise(text).tokens
    features = ["w:" + t for t in tokens]
    features += ["b:" + a + "_" + b for a, b in pairwise(tokens)]
    for token in tokens:
        padded = f" {token} "
        size = len(padded)
        for n in (2, 3, 4, 5):
            if n > size:
                break
            features += ["c:" + padded[k : k + n] for k in range(size - n + 1)]
    return features


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A fitted model reduced to numbers: score = sigmoid(w·tfidf_l2(x) + b)."""

    idf: dict[str, float]
    weight: dict[str, float]
    intercept: float
    meta: dict[str, Any]

    def score(self, text: str) -> float:
        counts: dict[str, int] = {}
        idf = self.idf
        for feature in analyze(text):
            if feature in idf:
                counts[feature] = counts.get(feature, 0) + 1
        if not counts:
            return _sigmoid(self.intercept)
        norm = math.sqrt(sum((c * idf[f]) ** 2 for f, c in counts.items()))
        weight = self.weight
        dot = sum(c * idf[f] * weight.get(f, 0.0) for f, c in counts.items())
        return _sigmoid(dot / norm + self.intercept)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FORMAT,
            "meta": self.meta,
            "intercept": self.intercept,
            "features": {f: [round(i, 6), round(self.weight.get(f, 0.0), 6)]
                         for f, i in self.idf.items()},
        }  # fmt: skip
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        tmp.replace(path)


def load_model(path: Path) -> LinearModel:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a cassbot model (format {data.get('format')!r})")
    features: dict[str, list[float]] = data["features"]
    idf = {f: v[0] for f, v in features.items()}
    weight = {f: v[1] for f, v in features.items() if v[1]}
    return LinearModel(idf, weight, float(data["intercept"]), dict(data.get("meta", {})))


def _sigmoid(x: float) -> float:
    if x < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


# --- training (needs scikit-learn) ---------------------------------------------------------


def fit(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    progress: Callable[[str], None] = lambda _m: None,
    cv_folds: int = 5,
    seed: int = 13,
) -> tuple[LinearModel, dict[str, Any]]:
    """Fit on (text, 1 = offensive / 0 = not); return the model and a summary with CV F1."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
        from sklearn.metrics import f1_score  # type: ignore[import-untyped]
        from sklearn.model_selection import StratifiedKFold, cross_val_predict  # type: ignore[import-untyped]
        from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - the extra is part of the test setup
        raise RuntimeError("training needs scikit-learn: pip install 'cassbot[ml]'") from exc

    def pipeline() -> Any:
        vectorizer = TfidfVectorizer(
            analyzer=analyze, min_df=2, max_features=300_000, sublinear_tf=False
        )
        classifier = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        return make_pipeline(vectorizer, classifier)

    summary: dict[str, Any] = {"rows": len(texts), "offensive": int(sum(labels))}
    summary["not"] = len(texts) - summary["offensive"]
    folds = min(cv_folds, summary["offensive"], summary["not"])
    if folds >= 2:
        progress(f"cross-validating ({folds} folds)…")
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        predicted = cross_val_predict(pipeline(), list(texts), list(labels), cv=splitter)
        summary["cv_f1"] = round(float(f1_score(list(labels), predicted)), 4)
        summary["cv_folds"] = folds
    progress("fitting on all rows…")
    fitted = pipeline().fit(list(texts), list(labels))
    vectorizer, classifier = fitted[0], fitted[1]
    names = vectorizer.get_feature_names_out()
    idf = {str(n): float(v) for n, v in zip(names, vectorizer.idf_, strict=True)}
    weight = {str(n): float(c) for n, c in zip(names, classifier.coef_[0], strict=True) if c}
    meta = {key: summary[key] for key in summary}
    model = LinearModel(idf, weight, float(classifier.intercept_[0]), meta)
    summary["features"] = len(idf)
    return model, summary


def split(rows: Iterable[Any], share: float, seed: int) -> tuple[list[Any], list[Any]]:
    """A reproducible random split: (train, test)."""
    items = list(rows)
    random.Random(seed).shuffle(items)
    cut = int(len(items) * share)
    return items[:cut], items[cut:]

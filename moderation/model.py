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
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from moderation.normalise import normalise

MODEL_FILE = "offensive-v1.json.gz"
FORMAT = "cassbot-linear-v1"
_CACHE_LIMIT = 50_000  # words whose features are memoised (a few MB at most)


def analyze(text: str) -> list[str]:
    """Features of a text: normalised words, word bigrams, character 2–5-grams in words."""
    tokens = normalise(text).tokens
    features = ["b:" + a + "_" + b for a, b in pairwise(tokens)]
    for token in tokens:
        features += token_features(token)
    return features


def token_features(token: str) -> list[str]:
    """The features one word contributes on its own (the word and its character n-grams)."""
    features = ["w:" + token]
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
    sublinear: bool = True  # tf = 1 + log(count), as TfidfVectorizer(sublinear_tf=True)
    cache: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict, compare=False)

    def score(self, text: str, tokens: list[str] | None = None) -> float:
        """P(offensive); pass the engine's tokens to skip normalising the text again."""
        if tokens is None:
            tokens = normalise(text).tokens
        idf = self.idf
        counts: dict[str, int] = {}
        for a, b in pairwise(tokens):
            feature = "b:" + a + "_" + b
            if feature in idf:
                counts[feature] = counts.get(feature, 0) + 1
        cache = self.cache
        for token in tokens:
            known = cache.get(token)
            if known is None:
                known = self._known_features(token)
            for feature, count in known:
                counts[feature] = counts.get(feature, 0) + count
        if not counts:
            return _sigmoid(self.intercept)
        log = math.log
        values = [((1.0 + log(c)) if self.sublinear else c) * idf[f] for f, c in counts.items()]
        norm = math.sqrt(sum(v * v for v in values))
        weight = self.weight
        dot = sum(v * weight.get(f, 0.0) for v, f in zip(values, counts, strict=True))
        return _sigmoid(dot / norm + self.intercept)

    def _known_features(self, token: str) -> tuple[tuple[str, int], ...]:
        """A word's in-vocabulary features with counts, memoised (words repeat a lot)."""
        counts: dict[str, int] = {}
        for feature in token_features(token):
            if feature in self.idf:
                counts[feature] = counts.get(feature, 0) + 1
        known = tuple(counts.items())
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[token] = known
        return known

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FORMAT,
            "meta": self.meta,
            "intercept": self.intercept,
            "sublinear": self.sublinear,
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
    meta = dict(data.get("meta", {}))
    sublinear = bool(data.get("sublinear", False))
    return LinearModel(idf, weight, float(data["intercept"]), meta, sublinear)


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
            analyzer=analyze, min_df=2, max_features=300_000, sublinear_tf=True
        )
        classifier = LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced")
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
    model = LinearModel(idf, weight, float(classifier.intercept_[0]), meta, sublinear=True)
    summary["features"] = len(idf)
    # The exported numbers must score exactly like the fitted pipeline.
    sample = list(texts[:200])
    expected = fitted.predict_proba(sample)[:, 1]
    drift = max(abs(model.score(t) - float(p)) for t, p in zip(sample, expected, strict=True))
    if drift > 1e-6:
        raise RuntimeError(f"exported model disagrees with scikit-learn by {drift:.2e}")
    summary["export_drift"] = drift
    return model, summary


def split(rows: Iterable[Any], share: float, seed: int) -> tuple[list[Any], list[Any]]:
    """A reproducible random split: (train, test)."""
    items = list(rows)
    random.Random(seed).shuffle(items)
    cut = int(len(items) * share)
    return items[:cut], items[cut:]

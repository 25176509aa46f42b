"""`cassbot train --labelled CSV`: fit the learned layer and store it in the data folder.

The CSV needs the columns `text,label` (label `offensive` or `not`). Progress and a summary
(rows, classes, cross-validated F1) go to stdout; the model goes to
`<data_dir>/models/offensive-v1.json.gz`, where `cassbot run` and `cassbot screen` find it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any, TextIO

from cassbot.cli.common import add_config_option
from cassbot.config import load_settings
from moderation.model import MODEL_FILE, fit

LABELS = {"offensive": 1, "not": 0}


class TrainingDataError(Exception):
    """The labelled CSV cannot be used; the message says why."""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train the offensive-message classifier from a labelled CSV",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_config_option(parser)
    parser.add_argument("--labelled", required=True, type=Path, metavar="CSV",
                        help="CSV with columns text,label (offensive|not)")  # fmt: skip
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.set_defaults(handler=train_cmd)


def train_cmd(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    try:
        texts, labels = read_labelled(args.labelled)
    except TrainingDataError as exc:
        print(f"cassbot train: {exc}", file=sys.stderr)
        return 2
    target = settings.data_dir / "models" / MODEL_FILE
    return train(texts, labels, target, sys.stdout, folds=args.folds)


def train(texts: list[str], labels: list[int], target: Path, out: TextIO, folds: int = 5) -> int:
    def progress(message: str) -> None:
        print(f"  … {message}", file=out, flush=True)

    offensive = sum(labels)
    print(f"Training on {len(texts)} rows: {offensive} offensive, "
          f"{len(texts) - offensive} not.", file=out)  # fmt: skip
    model, summary = fit(texts, labels, progress=progress, cv_folds=folds)
    model.save(target)
    cv = summary.get("cv_f1")
    cv_text = f"{cv:.3f} ({summary['cv_folds']} folds)" if cv is not None else "n/a (too few)"
    print(f"Cross-validated F1 (offensive): {cv_text}", file=out)
    print(f"Features: {summary['features']}. Model saved to {target}", file=out)
    return 0


def read_labelled(path: Path) -> tuple[list[str], list[int]]:
    """Read and check the CSV; raise TrainingDataError with a readable reason."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise TrainingDataError(f"cannot read {path}: {exc.strerror}") from None
    texts: list[str] = []
    labels: list[int] = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = {"text", "label"} - set(reader.fieldnames or [])
            if missing:
                raise TrainingDataError(
                    f"{path}: missing column(s) {', '.join(sorted(missing))}; "
                    "expected a header with text,label"
                )
            for row in reader:
                label = (row.get("label") or "").strip().lower()
                if label not in LABELS:
                    raise TrainingDataError(
                        f"{path}, line {reader.line_num}: label {label!r} is not "
                        "'offensive' or 'not'"
                    )
                text = row.get("text") or ""
                if text.strip():
                    texts.append(text)
                    labels.append(LABELS[label])
        except (csv.Error, UnicodeDecodeError) as exc:
            raise TrainingDataError(f"{path}: not a readable UTF-8 CSV ({exc})") from None
    if len(set(labels)) < 2:
        raise TrainingDataError(f"{path}: needs rows of both labels (offensive and not)")
    return texts, labels

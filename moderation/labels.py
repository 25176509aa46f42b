"""Training labels from moderation outcomes: what admins confirmed or undid.

The core feeds this from the audit log (`cassbot moderation export-labels`): a flagged
message an admin confirmed is `offensive`; one an admin undid (or that won an appeal) is
`not`. The output is the CSV `cassbot train --labelled` reads (columns `text,label`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Literal, TextIO

Outcome = Literal["confirmed", "undone"]
LABEL_OF: dict[str, str] = {"confirmed": "offensive", "undone": "not"}


def label_rows(pairs: Iterable[tuple[str, Outcome]]) -> list[tuple[str, str]]:
    """(text, outcome) → (text, label); empty texts are dropped and the last word on a
    repeated text wins (an undo after a confirmation means the message was fine)."""
    latest: dict[str, str] = {}
    for text, outcome in pairs:
        if outcome not in LABEL_OF:
            raise ValueError(f"unknown outcome {outcome!r} (use 'confirmed' or 'undone')")
        clean = " ".join(text.split())
        if clean:
            latest.pop(clean, None)  # keep the order of the last decision
            latest[clean] = LABEL_OF[outcome]
    return list(latest.items())


def write_training_csv(pairs: Iterable[tuple[str, Outcome]], out: TextIO) -> int:
    """Write the training CSV; return the number of rows written."""
    rows = label_rows(pairs)
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    writer.writerows(rows)
    return len(rows)

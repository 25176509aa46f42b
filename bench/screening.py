"""Benchmark the screening engine against better-profanity, on the same messages, one process.

    python bench/screening.py [--labelled CSV] [--limit N] [--model] [--repeat K]

Without `--labelled` it times a built-in set of short messages written for the benchmark.
With `--labelled CSV` (columns `text,label[,source]`, label `offensive`/`not`) it also prints
precision, recall and F1 of both detectors, per `source` when present, the share of `not`
rows flagged, the share of `offendes_casual_swearing` rows flagged and, for the engine, the
precision of automatic action (`action=act`). `--model` trains the learned layer on a fixed
split of the rows (70 %, seed 13) and measures engine + model on the other 30 %.

Timing: the engine's best of `--repeat` passes (the machine may be shared), one pass of
better-profanity (about five minutes on the 13,302-row development set). Pin one core with
`taskset -c 1` for a one-core figure.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderation.engine import ScreeningEngine, ScreenInput
from moderation.service_requests import classify
from moderation.settings import PolicySettings

CASUAL_SOURCE = "offendes_casual_swearing"
SAMPLE = [
    "No ha pasado el camión de la basura desde el lunes, ¿alguien sabe algo?",
    "Hay una fuga de agua en la calle Hidalgo esquina con Morelos",
    "¡Qué pedo! ya llegó el agua a la colonia",
    "eres un pendejo, cállate",
    "te voy a partir la madre",
    "Vendo tamales $15, pedidos al 7611234567",
    "Reenvía este mensaje a 10 contactos o tendrás mala suerte",
    "La lámpara del poste frente al kínder lleva una semana fundida",
    "Cuidado con el perro de la casa 14, muerde",
    "gana dinero desde casa entra a bit.ly/xyz",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=Path, help="CSV with text,label[,source]")
    parser.add_argument("--limit", type=int, help="use only the first N rows")
    parser.add_argument("--model", action="store_true", help="train on 70%%, measure on 30%%")
    parser.add_argument("--repeat", type=int, default=5, help="engine timing passes (best)")
    parser.add_argument("--skip-profanity", action="store_true", help="time only the engine")
    args = parser.parse_args(argv)

    rows = read_rows(args.labelled) if args.labelled else [(t, "", "") for t in SAMPLE * 100]
    if args.limit:
        rows = rows[: args.limit]
    texts = [r[0] for r in rows]
    engine = ScreeningEngine.from_settings(PolicySettings())

    # the rows carry no membership history: screen them as from members past probation
    inputs = [ScreenInput(text=t, author_message_count=10**6) for t in texts]
    screen = engine.screen
    ours_rate = rate(lambda: [screen(m) for m in inputs], len(texts), args.repeat)
    with_requests = rate(
        lambda: [(screen(m), classify(m.text)) for m in inputs], len(texts), args.repeat
    )
    print(f"messages: {len(texts)}")
    print(
        f"cassbot engine:  {ours_rate:12,.0f} msg/s  (normalise, lexicons, context, off-purpose)"
    )
    print(f"  + service-request detection: {with_requests:,.0f} msg/s")
    if not args.skip_profanity:
        from better_profanity import profanity

        profanity.load_censor_words()
        theirs: list[bool] = []
        theirs_rate = rate(
            lambda: theirs.extend(profanity.contains_profanity(t) for t in texts), len(texts), 1
        )
        print(f"better-profanity:{theirs_rate:12,.0f} msg/s")
        print(f"ratio:           {ours_rate / theirs_rate:12,.0f}x")
        print(f"  with service-request detection: {with_requests / theirs_rate:,.0f}x")
    if not args.labelled:
        return 0
    reports = [screen(m) for m in inputs]
    print_quality("cassbot engine (lexicon + rules)", rows, [r.offensive for r in reports],
                  [r.action == "act" for r in reports])  # fmt: skip
    if not args.skip_profanity:
        print_quality("better-profanity", rows, theirs)
    if args.model:
        measure_model(rows)
    return 0


def read_rows(path: Path) -> list[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(r["text"], r["label"], r.get("source") or "") for r in csv.DictReader(handle)]


def rate(run: Callable[[], object], count: int, repeat: int) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return count / min(times)  # the least disturbed pass (the machine may be shared)


def print_quality(
    name: str,
    rows: Sequence[tuple[str, str, str]],
    flagged: Sequence[bool],
    acted: Sequence[bool] | None = None,
) -> None:
    print(f"\n{name}")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (_t, _label, source) in enumerate(rows):
        groups["ALL"].append(i)
        if source:
            groups[source].append(i)
    for source, idx in sorted(groups.items(), key=lambda kv: kv[0] != "ALL"):
        tp = sum(1 for i in idx if flagged[i] and rows[i][1] == "offensive")
        fp = sum(1 for i in idx if flagged[i] and rows[i][1] != "offensive")
        pos = sum(1 for i in idx if rows[i][1] == "offensive")
        neg = len(idx) - pos
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / pos if pos else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        line = f"  {source:26s} n={len(idx):5d}  P={p:.3f} R={r:.3f} F1={f1:.3f}"
        line += f"  not flagged={fp / neg if neg else 0:.3f}"
        if acted is not None:
            atp = sum(1 for i in idx if acted[i] and rows[i][1] == "offensive")
            act = sum(1 for i in idx if acted[i])
            line += f"  act P={atp / act if act else 0:.3f} (n={act})"
        print(line)


def measure_model(rows: Sequence[tuple[str, str, str]]) -> None:
    from moderation.model import fit, split

    train, test = split(rows, 0.7, seed=13)
    print(f"\ntraining the model on {len(train)} rows, measuring on {len(test)} …")
    model, summary = fit([r[0] for r in train], [int(r[1] == "offensive") for r in train])
    print(f"  cross-validated F1 on the training part: {summary.get('cv_f1')}")
    engine = ScreeningEngine(ScreeningEngine.from_settings(PolicySettings()).lexicon,
                             PolicySettings(), model)  # fmt: skip
    inputs = [ScreenInput(text=r[0], author_message_count=10**6) for r in test]
    speed = rate(lambda: [engine.screen(m) for m in inputs], len(inputs), 1)
    reports = [engine.screen(m) for m in inputs]
    print(f"  engine + model: {speed:,.0f} msg/s")
    flagged = [r.offensive for r in reports]
    acted = [r.action == "act" for r in reports]
    print_quality("cassbot engine + model (held-out 30%)", test, flagged, acted)
    print_quality("model alone (held-out 30%)", test,
                  [(r.model_score or 0) >= 0.5 for r in reports])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

"""The learned layer on a tiny hand-written set, `cassbot train` and the labels export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from cassbot.cli.main import main
from moderation.engine import ScreeningEngine, ScreenInput
from moderation.labels import label_rows, write_training_csv
from moderation.model import MODEL_FILE, fit, load_model
from moderation.settings import PolicySettings

OFFENSIVE = [
    "eres un inútil bueno para nada", "ojalá te largues del pueblo, estorbo",
    "nadie te quiere aquí, lárgate", "eres una vergüenza de persona",
    "cállate, estorbo inútil", "das asco, bueno para nada",
    "qué vergüenza de vecino eres, estorbo", "lárgate, nadie te soporta",
]  # fmt: skip
NOT = [
    "gracias por avisar del agua", "mañana pasa la pipa a las diez",
    "ya arreglaron la lámpara de la esquina", "buenos días vecinos",
    "la junta es el sábado en la plaza", "¿a qué hora pasa la basura?",
    "ya llegó el agua a la colonia", "gracias a protección civil por venir",
]  # fmt: skip


def test_fit_scores_and_round_trips(tmp_path: Path) -> None:
    texts = OFFENSIVE + NOT
    labels = [1] * len(OFFENSIVE) + [0] * len(NOT)
    model, summary = fit(texts, labels, cv_folds=2)
    assert summary["rows"] == 16
    assert 0.0 <= summary["cv_f1"] <= 1.0
    assert summary["export_drift"] < 1e-6  # pure-Python scoring equals scikit-learn
    assert model.score("eres un estorbo inútil") > model.score("gracias por avisar del agua")
    path = tmp_path / "m.json.gz"
    model.save(path)
    again = load_model(path)
    assert again.score("lárgate estorbo") == pytest.approx(model.score("lárgate estorbo"))


def test_model_alone_only_asks_for_review(tmp_path: Path) -> None:
    texts = OFFENSIVE + NOT
    model, _ = fit(texts, [1] * 8 + [0] * 8, cv_folds=2)
    model.save(tmp_path / MODEL_FILE)
    settings = PolicySettings()
    engine = ScreeningEngine.from_settings(settings, model_path=tmp_path / MODEL_FILE)
    assert engine.model is not None
    report = engine.screen(ScreenInput(text="nadie te soporta, lárgate del pueblo"))
    assert report.model_score is not None
    assert report.model_score > 0.5
    assert report.offensive is True
    assert report.action == "review"
    assert [f.rule_id for f in report.findings] == ["model"]


def test_engine_without_model_file_has_no_model(tmp_path: Path) -> None:
    engine = ScreeningEngine.from_settings(PolicySettings(), model_path=tmp_path / "none")
    assert engine.model is None
    assert engine.screen(ScreenInput(text="hola")).model_score is None


def write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def test_cassbot_train_end_to_end(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CASSBOT__PATHS__DATA_DIR", str(tmp_path))
    data = tmp_path / "labelled.csv"
    write_csv(data, [(t, "offensive") for t in OFFENSIVE] + [(t, "not") for t in NOT])
    assert main(["train", "--labelled", str(data), "--folds", "2"]) == 0
    out = capsys.readouterr().out
    assert "16 rows" in out
    assert "Cross-validated F1" in out
    assert (tmp_path / "models" / MODEL_FILE).is_file()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("texto,etiqueta\nhola,not\n", "missing column"),
        ("text,label\nhola,maybe\n", "is not 'offensive' or 'not'"),
        ("text,label\nhola,not\nadios,not\n", "both labels"),
    ],
)
def test_cassbot_train_bad_csv(tmp_path: Path, monkeypatch, capsys, content: str,
                               message: str) -> None:  # fmt: skip
    monkeypatch.setenv("CASSBOT__PATHS__DATA_DIR", str(tmp_path))
    data = tmp_path / "bad.csv"
    data.write_text(content, encoding="utf-8")
    assert main(["train", "--labelled", str(data)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "models").exists()


def test_cassbot_train_missing_file(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CASSBOT__PATHS__DATA_DIR", str(tmp_path))
    assert main(["train", "--labelled", str(tmp_path / "nope.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_labels_from_admin_outcomes() -> None:
    rows = label_rows([("eres un estorbo", "confirmed"), ("vendo pan", "undone"),
                       ("eres un estorbo", "undone"), ("  ", "confirmed")])  # fmt: skip
    assert rows == [("vendo pan", "not"), ("eres un estorbo", "not")]
    out = io.StringIO()
    assert write_training_csv([("hola  mundo", "confirmed")], out) == 1
    assert out.getvalue().splitlines() == ["text,label", "hola mundo,offensive"]
    with pytest.raises(ValueError, match="unknown outcome"):
        label_rows([("x", "maybe")])  # type: ignore[list-item]


def test_model_confirms_or_vetoes_lexicon_flags_but_never_violations() -> None:
    from moderation.engine import _aggregate
    from moderation.findings import Finding

    flag = Finding("lex.insult", "insult", 2, (0, 6), "flag", "idiota")
    violation = Finding("ctx.threat", "threat", 4, (0, 6), "violation", "matar")
    settings = PolicySettings()
    assert _aggregate("idiota", [flag], settings, None).action == "review"
    assert _aggregate("idiota", [flag], settings, 0.9).action == "act"
    vetoed = _aggregate("idiota", [flag], settings, 0.1)
    assert vetoed.action == "none"
    assert vetoed.offensive is False
    kept = _aggregate("te mato", [violation], settings, 0.01)
    assert kept.action == "act"

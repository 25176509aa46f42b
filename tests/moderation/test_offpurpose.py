from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation.engine import RecentMessage, fingerprint
from moderation.settings import OffPurposeSettings, PolicySettings

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_ad(screen) -> None:
    report = screen("Vendo tamales a $15, pedidos al 761 123 4567")
    assert report.off_purpose == "ad"
    assert report.action == "act"
    assert report.offensive is False


def test_asking_who_sells_is_no_ad(screen) -> None:
    assert screen("¿Alguien sabe quién vende gas por aquí?").off_purpose is None


def test_chain_letter(screen) -> None:
    report = screen("Reenvía este mensaje a todos tus contactos o tendrás mala suerte")
    assert report.off_purpose == "chain"
    assert report.action == "act"


def test_political_propaganda(screen) -> None:
    report = screen("Este domingo vota por nuestro candidato, vota Morena")
    assert report.off_purpose == "political"


def test_scam_text_and_shortener(screen) -> None:
    report = screen("Gana dinero desde casa, registrate aqui https://bit.ly/x1")
    assert report.off_purpose == "scam"
    assert report.action == "act"


def test_lookalike_bank_domain(screen) -> None:
    report = screen("Revisa tu saldo en https://bbva-mx-seguridad.xyz/login")
    assert report.off_purpose == "scam"
    assert report.action == "act"


def test_official_domain_is_fine(screen) -> None:
    assert screen("Consulta en https://www.bbva.mx/personas").off_purpose is None
    assert screen("Aviso de agua: https://jilotepec.gob.mx/avisos").findings == ()


def test_shortener_alone_asks_for_review(screen) -> None:
    report = screen("miren esto bit.ly/abc")
    assert report.action == "review"


def test_forwarded_many_is_reviewed_as_chain(screen) -> None:
    report = screen("Mañana no habrá agua en todo el municipio", forwarded_many=True)
    assert report.off_purpose == "chain"
    assert report.action == "review"


def test_forwarded_many_switch_off(screen) -> None:
    off = PolicySettings(off_purpose=OffPurposeSettings(forwarded_many=False))
    assert screen("Mañana no habrá agua", off, forwarded_many=True).findings == ()


def test_probation_blocks_unknown_links_of_new_members(screen) -> None:
    text = "visiten mi página ejemplo-tienda.com"
    assert screen(text, author_message_count=0).action == "act"
    assert screen(text, author_message_count=50).action == "none"
    assert screen("el aviso: https://jilotepec.gob.mx", author_message_count=0).action == "none"


def test_platform_reported_links_are_checked(screen) -> None:
    report = screen("miren", links=("https://bit.ly/zz",), author_message_count=0)
    assert report.off_purpose == "scam"


def test_flood_by_count(screen) -> None:
    recent = tuple(RecentMessage(NOW - timedelta(seconds=5 * k), f"fp{k}") for k in range(6))
    report = screen("hola", sent_at=NOW, recent_by_author=recent)
    assert report.off_purpose == "flood"
    old = tuple(RecentMessage(NOW - timedelta(hours=1, seconds=k), f"fp{k}") for k in range(6))
    assert screen("hola", sent_at=NOW, recent_by_author=old).off_purpose is None


def test_flood_by_repetition(screen) -> None:
    same = fingerprint("¡Se vende nada, solo saludos!")
    assert same == fingerprint("se vende NADA solo saludos")
    recent = (RecentMessage(NOW - timedelta(minutes=3), same),
              RecentMessage(NOW - timedelta(minutes=1), same))  # fmt: skip
    report = screen("Se vende nada, solo saludos", sent_at=NOW, recent_by_author=recent)
    assert "flood" in report.categories


def test_each_screener_switches_off(screen) -> None:
    off = PolicySettings(off_purpose=OffPurposeSettings(ads=False, chains=False, scams=False,
                                                        political=False))  # fmt: skip
    assert screen("Vendo tamales a $15, pedidos al 7611234567", off).off_purpose is None
    assert screen("Reenvía este mensaje a todos tus contactos", off).off_purpose is None
    assert screen("vota por nuestro candidato, vota Morena", off).off_purpose is None

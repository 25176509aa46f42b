"""What the municipality offers: categories as public services, statuses and their meaning."""

from __future__ import annotations

from dataclasses import dataclass

from cassbot.settings import DEPARTMENT_NAMES
from moderation.service_requests import CATEGORIES

OTHER = "otro"

# Stable public codes (Open311 `service_code`); never rename one once published.
SERVICE_CODES: dict[str, str] = {
    "fuga": "odapas-fuga",
    "sin_agua": "odapas-sin-agua",
    "drenaje": "odapas-drenaje",
    "luminaria": "sp-alumbrado",
    "basura": "sp-basura",
    "bache": "sp-bache",
    "animal": "sp-animal",
    "robo": "sc-robo",
    "sospechoso": "sc-sospechoso",
    "violencia": "sc-violencia",
    "incendio": "pc-incendio",
    "inundacion": "pc-inundacion",
    "fuga_gas": "pc-gas",
    "arbol_caido": "pc-arbol",
    "cables": "pc-cables",
    OTHER: "otro",
}
CATEGORY_BY_CODE = {code: category for category, code in SERVICE_CODES.items()}

KEYWORDS: dict[str, str] = {
    "fuga": "fuga, tubo roto, agua tirada, medidor",
    "sin_agua": "sin agua, no hay agua, no llega el agua, pipa, presión",
    "drenaje": "drenaje, coladera, alcantarilla, aguas negras",
    "luminaria": "lámpara, luminaria, alumbrado, poste, foco fundido",
    "basura": "basura, camión recolector, tiradero",
    "bache": "bache, hoyo, socavón, pavimento",
    "animal": "perro muerto, animal muerto, perros agresivos",
    "robo": "robo, asalto, cristalazo",
    "sospechoso": "persona sospechosa, vehículo sospechoso, rondines",
    "violencia": "riña, pelea, amenazas, disparos",
    "incendio": "incendio, fuego, humo, quema",
    "inundacion": "inundación, desbordamiento, encharcamiento",
    "fuga_gas": "fuga de gas, olor a gas",
    "arbol_caido": "árbol caído, rama caída",
    "cables": "cables caídos, poste caído, chispas, transformador",
    OTHER: "otro",
}

STATUS_LABELS: dict[str, str] = {
    "nuevo": "Nuevo (esperando acuse del área)",
    "recibido": "Recibido por el área",
    "en_atencion": "En atención",
    "reabierto": "Reabierto (esperando acuse del área)",
    "resuelto": "Resuelto (esperando tu confirmación)",
    "cerrado": "Cerrado",
    "rechazado": "Rechazado",
    "duplicado": "Duplicado",
}
AWAITING_ACK = frozenset({"nuevo", "reabierto"})
OPEN_STATUSES = frozenset({"nuevo", "recibido", "en_atencion", "reabierto"})
FINAL_STATUSES = frozenset({"cerrado", "rechazado", "duplicado"})


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


@dataclass(frozen=True, slots=True)
class Service:
    category: str
    code: str
    name: str
    department: str
    keywords: str

    @property
    def department_name(self) -> str:
        return department_name(self.department)


def department_name(department: str) -> str:
    return DEPARTMENT_NAMES.get(department, department)


def category_label(category: str) -> str:
    if category == OTHER:
        return "Otro servicio"
    return CATEGORIES[category].label if category in CATEGORIES else category


def category_department(category: str, triage_department: str) -> str:
    return CATEGORIES[category].department if category in CATEGORIES else triage_department


def services(triage_department: str) -> list[Service]:
    return [
        Service(
            category=category,
            code=code,
            name=category_label(category),
            department=category_department(category, triage_department),
            keywords=KEYWORDS[category],
        )
        for category, code in SERVICE_CODES.items()
    ]

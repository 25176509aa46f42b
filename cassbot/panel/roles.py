"""Panel roles and what each may do (the role matrix, documented in docs/registro.md).

| permission         | administrador | gobierno_digital | departamento            |
|--------------------|---------------|------------------|-------------------------|
| registros          | yes           | yes              | no                      |
| quejas             | yes           | yes              | no                      |
| apelaciones        | yes           | yes              | no                      |
| vetos              | yes           | yes              | no                      |
| padron             | yes           | yes              | own communities         |
| datos_personales   | yes           | yes              | no (rosters hide phones)|
| padron_roles       | yes           | yes              | own communities         |
| moderacion         | yes           | yes              | own communities         |
| cuentas            | yes           | no               | no                      |
"""

from __future__ import annotations

from typing import Literal

Permission = Literal[
    "inicio",
    "registros",
    "quejas",
    "apelaciones",
    "vetos",
    "padron",
    "datos_personales",
    "padron_roles",
    "moderacion",
    "cuentas",
]

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "administrador": frozenset(
        {
            "inicio",
            "registros",
            "quejas",
            "apelaciones",
            "vetos",
            "padron",
            "datos_personales",
            "padron_roles",
            "moderacion",
            "cuentas",
        }
    ),
    "gobierno_digital": frozenset(
        {
            "inicio",
            "registros",
            "quejas",
            "apelaciones",
            "vetos",
            "padron",
            "datos_personales",
            "padron_roles",
            "moderacion",
        }
    ),
    "departamento": frozenset({"inicio", "padron", "padron_roles", "moderacion"}),
}
ROLE_LABELS = {
    "administrador": "Administración del sistema",
    "gobierno_digital": "Gobierno Digital",
    "departamento": "Dirección o departamento",
}
# Roles limited to the communities their linked official covers.
SCOPED_ROLES = frozenset({"departamento"})


def allowed(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


PERMISSION_ROLES_HELP = (
    "administrador (everything, accounts too); gobierno_digital (registrations, complaints, "
    "appeals, bans, rosters with phone numbers, moderation); departamento (rosters of its "
    "official's communities, without phone numbers, member roles, and their moderation)."
)

"""Every user-facing text, in Spanish (es-MX), in one catalogue.

Texts are `str.format` templates with named fields. Keep them plain, firm and respectful: many
readers are older neighbours reading on a phone. Never repeat an insult back to anyone.
Sections: rules, commands (core), playground, telegram.
"""

from __future__ import annotations

# --- The CASS rules (cited by number in warnings) ------------------------------------------

RULES: dict[int, str] = {
    1: "Respeto: trata a todas las personas del grupo con respeto.",
    2: "Sin lenguaje ofensivo, insultos, acoso ni discriminación.",
    3: "Sin amenazas ni incitación a la violencia.",
    4: (
        "Usa el grupo para lo que es: servicios públicos, seguridad, protección civil y avisos "
        "de la comunidad. Nada de ventas, cadenas, propaganda política ni enlaces engañosos."
    ),
    5: "Quien no respete estas reglas recibe advertencias y puede ser expulsado del grupo.",
}

RULES_MESSAGE = (
    "📋 *Reglas de los grupos CASS* (Células de Atención, Seguridad y Servicios)\n"
    "{rules}\n\n"
    "Para pedir un servicio escribe /reporte y cuenta qué pasa y dónde. "
    "En una emergencia llama al 911."
)


def rules_text() -> str:
    return RULES_MESSAGE.format(rules="\n".join(f"{n}. {t}" for n, t in RULES.items()))


# --- Commands (core) ----------------------------------------------------------------------

HELP_HEADER = "🤖 Soy el asistente de los grupos CASS. Esto es lo que puedes pedirme:"
HELP_LINE = "• /{name} {usage}— {summary}"
UNKNOWN_COMMAND = "No conozco el comando /{name}. Escribe /ayuda para ver los disponibles."
NOT_ALLOWED = "El comando /{name} es solo para {who}."
ONLY_IN_GROUP = "El comando /{name} se usa dentro del grupo de tu comunidad."
ONLY_IN_PRIVATE = "El comando /{name} se usa en un chat privado conmigo."
COMMAND_FAILED = (
    "No pude completar /{name} por un error interno. Ya quedó registrado; inténtalo de nuevo "
    "en unos minutos."
)
ROLE_NAMES: dict[str, str] = {
    "vecino": "vecinos",
    "autoridad_local": "autoridades locales",
    "funcionario": "funcionarios",
    "administrador": "administradores",
}

# --- Playground ---------------------------------------------------------------------------

PLAYGROUND_REMOVED = "No puedes escribir: ya no formas parte de este grupo."
PLAYGROUND_EMPTY = "Escribe un mensaje."
PLAYGROUND_TOO_LONG = "El mensaje es demasiado largo (máximo {limit} caracteres)."
PLAYGROUND_UNKNOWN_CHAT = "Ese grupo no existe en la configuración."
PLAYGROUND_UNKNOWN_PERSONA = "Esa persona no existe en el simulador."

# --- Telegram (adapters/telegram) -----------------------------------------------------------

# Sent once to the community's officials when the bot cannot moderate a Telegram group.
TELEGRAM_BOT_LACKS_RIGHTS = (
    "⚠️ El asistente CASS no puede moderar el grupo de Telegram «{group}» ({community}): "
    "{problem}.\n\n"
    "Mientras tanto no puede borrar mensajes ofensivos ni sacar a quien rompa las reglas. "
    "Pide a quien creó el grupo que lo haga administrador con estos permisos: borrar "
    "mensajes, bloquear usuarios e invitar usuarios mediante enlace."
)
TELEGRAM_BOT_LACKS_RIGHTS_SUBJECT = "El asistente CASS no puede moderar un grupo de Telegram"
TELEGRAM_NOT_ADMIN = "no es administrador del grupo"
TELEGRAM_NOT_IN_GROUP = "no está en el grupo o fue sacado de él"
TELEGRAM_MISSING_RIGHTS = "le faltan permisos: {rights}"
TELEGRAM_RIGHT_NAMES: dict[str, str] = {
    "can_delete_messages": "borrar mensajes",
    "can_restrict_members": "bloquear usuarios",
    "can_invite_users": "invitar usuarios mediante enlace",
}
TELEGRAM_ANONYMOUS_ADMIN = "Administración del grupo"

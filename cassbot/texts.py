"""Every user-facing text, in Spanish (es-MX), in one catalogue.

Texts are `str.format` templates with named fields. Keep them plain, firm and respectful: many
readers are older neighbours reading on a phone. Never repeat an insult back to anyone.
Sections: rules, commands (core), playground.
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

# --- WhatsApp and the bot's admin rights (adapters/whatsapp, cassbot/bot_rights.py) ---------

BOT_NOT_ADMIN_SUBJECT = "El asistente CASS no es administrador del grupo «{group}»"
BOT_NOT_ADMIN = (
    "⚠️ El asistente CASS no es administrador del grupo «{group}» ({community}).\n"
    "Mientras no lo sea, no puede borrar los mensajes que rompen las reglas ni sacar del grupo "
    "a quien las rompe: esas acciones quedan registradas pero no se hacen.\n"
    "Por favor, que un administrador del grupo haga administrador al número del "
    "asistente{account}. Este aviso se envía una sola vez."
)
BOT_ACCOUNT = " ({phone})"
WHATSAPP_ADD_REFUSED_INVITE = (
    "Hola{name}. No pudimos agregarte directamente al grupo «{group}»: tu configuración de "
    "privacidad de WhatsApp solo permite que te agreguen tus contactos. Puedes unirte con este "
    "enlace:\n{link}"
)
WHATSAPP_SESSION_ALERT_SUBJECT = "El WhatsApp del asistente CASS requiere atención"
WHATSAPP_SESSION_ALERT = (
    "⚠️ La sesión de WhatsApp del asistente CASS está en estado «{status}»: {meaning}\n"
    "Mientras tanto el asistente no lee ni modera los grupos de WhatsApp. Lo que tenga "
    "pendiente se enviará cuando la sesión vuelva a funcionar."
)
WHATSAPP_SESSION_MEANINGS: dict[str, str] = {
    "SCAN_QR_CODE": (
        "hay que volver a vincular el teléfono del asistente escaneando el código QR en el "
        "panel de WAHA."
    ),
    "PASSKEY_REQUIRED": "WhatsApp pide confirmar la vinculación en el teléfono del asistente.",
    "PASSKEY_CONFIRMATION_REQUIRED": (
        "WhatsApp pide confirmar la vinculación en el teléfono del asistente."
    ),
    "FAILED": "WAHA no pudo iniciar la sesión; revisen su panel y reinicien la sesión.",
    "STOPPED": "la sesión está detenida; iníciela desde el panel de WAHA.",
    "UNAUTHORIZED": "WAHA rechaza la clave de acceso de cassbot (adapters.whatsapp.api_key).",
    "NO_SESSION": "WAHA no tiene la sesión configurada (adapters.whatsapp.session).",
}

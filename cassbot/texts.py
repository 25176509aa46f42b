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

# --- Moderation in the bot: summaries, admins' commands, reviews, undo ----------------------

ENF_SUMMARY_WARN = "Advertencia ({count} en el periodo)"
ENF_SUMMARY_EXPEL = "Baja del grupo"
ENF_SUMMARY_DELETE = "mensaje retirado"
ENF_SUMMARY_ALERT = "aviso a Seguridad Ciudadana"
ENF_SUMMARY_REVIEW = "Enviado a revisión de los administradores"
ENF_SUMMARY_RECORDED = "Registrado"
ENF_ALERT_WHERE = "Comunidad: {community}. Caso #{case}."
ENF_ALERT_SUBJECT = "Alerta CASS: posible amenaza en {community}"
ENF_REVIEW_FALLBACK = "👀 Un mensaje necesita revisión."
ENF_REVIEW_HOW = (
    "Comunidad: {community}. Caso #{case}. Escribe /confirmar {case} si rompe las reglas o "
    "/descartar {case} si no; /revisar muestra la lista de pendientes."
)
ENF_NEED_TARGET = (
    "¿A quién? Responde al mensaje de la persona con /{command}, o escribe /{command} @nombre."
)
ENF_TARGET_NOT_FOUND = "No encontré a {handle} en este grupo."
ENF_EXEMPT_TARGET = "{who} es funcionario o administrador: no se le aplican sanciones."
ENF_REASON_DEFAULT = "no respetar las reglas del grupo"
ENF_MANUAL_WARN_GROUP = (
    "⚠️ {who}: un administrador te hace una advertencia por {reason} (regla {rule} de los "
    "grupos CASS). Llevas {count} de {limit} advertencias en {days} días. {appeal}"
)
ENF_MANUAL_WARN_PRIVATE = (
    "Hola, {who}. Un administrador del grupo te hizo una advertencia por {reason}.\n"
    "Regla {rule}: {rule_text}\n"
    "Llevas {count} de {limit} advertencias en los últimos {days} días. {appeal}"
)
ENF_MANUAL_EXPEL_GROUP = (
    "🚫 {who} fue dado de baja del grupo por decisión de un administrador, por {reason} "
    "(regla {rule} de los grupos CASS). Puede apelar escribiendo /apelar en privado al "
    "asistente."
)
ENF_MANUAL_EXPEL_PRIVATE = (
    "Hola, {who}. Un administrador te dio de baja del grupo por {reason}.\n"
    "Regla {rule}: {rule_text}\n"
    "Si crees que es un error, escribe /apelar aquí mismo y otra persona revisará tu caso."
)
ENF_READMITTED_ADMIN = "✅ {who} puede volver al grupo: se levantó su baja."
ENF_READMITTED_PERSON = (
    "Hola, {who}. Se revisó tu caso y puedes volver al grupo CASS de {community}. {how}"
)
ENF_READMIT_HOW_ADDED = "Ya te agregamos de nuevo."
ENF_READMIT_HOW_LINK = "Te enviaremos un enlace para volver a entrar."
ENF_INVITE_LINK = "Este es tu enlace para volver a entrar al grupo CASS: {link}"
ENF_NOT_BANNED = "{who} no tiene una baja vigente en esta comunidad."
ENF_PARDONED = "✅ Se borraron las advertencias de {who} ({count})."
ENF_PARDONED_PERSON = "Hola, {who}. Un administrador borró tus advertencias en el grupo."
ENF_NO_WARNINGS = "{who} no tiene advertencias vigentes."
ENF_WARNINGS_HEADER = "{who} tiene {count} advertencia(s) en los últimos {days} días:"
ENF_WARNINGS_LINE = "• {date}: {summary} (caso #{case})"
ENF_DRY_RUN_ON = (
    "🧪 Modo de prueba activado en este grupo: el asistente anotará lo que haría, sin borrar "
    "mensajes ni sacar a nadie."
)
ENF_DRY_RUN_OFF = "✅ Modo de prueba desactivado: el asistente vuelve a aplicar las reglas."
ENF_DRY_RUN_STATUS = "El modo de prueba está {state} en este grupo. Usa /prueba on o /prueba off."
ENF_DRY_RUN_USAGE = "Usa /prueba on para activarlo o /prueba off para desactivarlo."
ENF_CASE_USAGE = "Escribe /{command} seguido del número de caso, por ejemplo /{command} 12."
ENF_CASE_NOT_FOUND = "No encontré el caso #{case} en tus comunidades."
ENF_CASE_NOT_PENDING = "El caso #{case} ya no está pendiente de revisión ({status})."
ENF_CASE_CONFIRMED = "✅ Caso #{case} confirmado: se aplicó la regla."
ENF_CASE_DISMISSED = "✅ Caso #{case} descartado: no se sancionó a nadie."
ENF_REVIEW_EMPTY = "No hay casos pendientes de revisión."
ENF_REVIEW_HEADER = "Casos pendientes de revisión:"
ENF_REVIEW_LINE = "• #{case} · {community} · {who}: «{excerpt}» ({reason})"
ENF_UNDONE = "↩️ Caso #{case} deshecho: {what}. Los mensajes borrados no se pueden recuperar."
ENF_UNDONE_PERSON = (
    "Hola, {who}. Un administrador revisó tu caso #{case} y lo deshizo: {what}. Disculpa "
    "las molestias."
)
ENF_UNDO_WHAT_POINTS = "se retiró la advertencia"
ENF_UNDO_WHAT_BAN = "se levantó la baja"
ENF_UNDO_ALREADY = "El caso #{case} ya estaba deshecho."

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

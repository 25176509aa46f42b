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

# --- Registro: joining, complaints, appeals, panel (cassbot.registration) -----------------
# Form errors name the field and say how to fix it; notices to officials start with an emoji
# so they stand out in a busy chat. Fields: {folio}, {name}, {community}, {url}, {hours}…

REG_ERROR_SUMMARY = "Revisa lo siguiente"
REG_ERR_NAME = "Escribe tu nombre completo: nombre y apellidos."
REG_ERR_NAME_LONG = "El nombre es demasiado largo (máximo {limit} caracteres)."
REG_ERR_PHONE_MISSING = "Escribe tu número de celular."
REG_ERR_PHONE = "Escribe un número de celular de México de 10 dígitos, por ejemplo 761 123 4567."
REG_ERR_COMMUNITY = "Elige tu comunidad de la lista."
REG_ERR_MESSAGE_LONG = "El mensaje es demasiado largo (máximo {limit} caracteres)."
REG_ERR_MESSAGE_MISSING = "Escribe tu mensaje."
REG_ERR_CONSENT = "Para continuar debes aceptar los términos de uso y el aviso de privacidad."
REG_ERR_FOLIO = "Escribe el folio tal como te lo dimos, por ejemplo REG-2026-000042."
REG_ERR_ANSWER = "Escribe tu respuesta."
REG_ERR_KIND = "Elige si es una queja o una sugerencia."
FORM_EXPIRED = (
    "El formulario caducó o llegó incompleto, así que no guardamos nada. Revisa tus datos y "
    "vuelve a enviarlo."
)
FORM_REJECTED = "No pudimos procesar el formulario. Si eres una persona, vuelve a intentarlo."
RATE_LIMITED_IP = (
    "Se enviaron demasiadas solicitudes desde esta conexión. Por seguridad no guardamos "
    "nada; espera {minutes} minutos e inténtalo de nuevo."
)
RATE_LIMITED_PHONE = (
    "Ese número ya envió varias solicitudes hoy. Espera {hours} horas o llama a Gobierno Digital."
)
REG_DUPLICATE = (
    "Ya tienes una solicitud en revisión con el folio {folio}. Consulta su estado en "
    "«Consultar mi solicitud» con ese folio y tu número."
)
STATUS_NOT_FOUND = (
    "No encontramos una solicitud con ese folio y ese número. Revisa que estén bien escritos."
)
STATUS_RATE_LIMITED = (
    "Hiciste demasiadas consultas seguidas. Espera una hora e inténtalo de nuevo."
)
REG_ANSWER_SAVED = (
    "Recibimos tu respuesta. Gobierno Digital la revisará en menos de {hours} horas."
)
REG_ANSWER_NOT_EXPECTED = "Esta solicitud no está esperando una respuesta tuya."

REG_STATUS: dict[str, str] = {
    "pending": "En revisión",
    "info_requested": "Necesitamos más información",
    "approved": "Aprobada",
    "rejected": "No aprobada",
    "open": "En revisión",
    "answered": "Respondida",
    "upheld": "Procede: se levanta la expulsión",
}
APPEAL_STATUS_REJECTED = "No procede: la expulsión continúa"
FEEDBACK_KIND_NAMES: dict[str, str] = {"queja": "Queja", "sugerencia": "Sugerencia"}
CHANNEL_NAMES: dict[str, str] = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "local": "Simulador",
    "email": "Correo",
}

# Mail to the registration mailbox (subject, body).
MAIL_NEW_REQUEST_SUBJECT = "Nueva solicitud de registro {folio} — {community}"
MAIL_NEW_REQUEST = (
    "Nueva solicitud de registro a los grupos CASS.\n\n"
    "Folio: {folio}\nNombre: {name}\nCelular: {phone}\nComunidad: {community}\n"
    "Mensaje: {message}\n{ban}\n"
    "Plazo para decidir: {due}.\nRevísala en el panel: {url}/panel/registros/{folio}"
)
MAIL_BAN_NOTE = "ATENCIÓN: este número tiene una expulsión vigente en la comunidad ({reason})."
MAIL_NEW_FEEDBACK_SUBJECT = "{kind} {folio}"
MAIL_NEW_FEEDBACK = (
    "{kind} recibida ({source}).\n\nFolio: {folio}\nNombre: {name}\nCelular: {phone}\n"
    "Comunidad: {community}\n\n{text}\n\nPlazo para responder: {due}.\n"
    "Atiéndela en el panel: {url}/panel/quejas/{folio}"
)
MAIL_NEW_APPEAL_SUBJECT = "Apelación {folio} — {community}"
MAIL_NEW_APPEAL = (
    "Apelación de una expulsión.\n\nFolio: {folio}\nComunidad: {community}\n"
    "Expulsión: {reason} (decidida por {banned_by})\n\n{text}\n\n"
    "Debe resolverla un funcionario distinto de quien expulsó. Plazo: {due}.\n"
    "Resuélvela en el panel: {url}/panel/apelaciones/{folio}"
)

# Reminders and overdue notices (to the reviewers, chat and mail).
REMINDER_SUBJECT = "Recordatorio: {folio} vence {due}"
REMINDER = (
    "⏰ Recordatorio: {what} {folio} ({community}) sigue sin respuesta y vence {due}. "
    "Atiéndela en {url}{path}"
)
OVERDUE_SUBJECT = "VENCIDA: {folio} pasó el plazo de {hours} horas"
OVERDUE = (
    "🔴 {what} {folio} ({community}) pasó el plazo de {hours} horas sin respuesta. "
    "Atiéndela cuanto antes en {url}{path}"
)
TRACKED_WHAT: dict[str, str] = {
    "registration": "La solicitud de registro",
    "feedback": "La queja o sugerencia",
    "appeal": "La apelación",
}

# Admission: to the group's officials and to the person.
ADMIT_OFFICIALS_SUBJECT = "Alta aprobada en {community}: {name}"
ADMIT_OFFICIALS = (
    "✅ {decider} aprobó el registro {folio}: {name} se une a los grupos CASS de {community}.\n"
    "{lines}"
)
ADMIT_LINE_ADD = "• {group} ({channel}): el bot lo agrega directamente."
ADMIT_LINE_INVITE = "• {group} ({channel}): se le envía un enlace de invitación de un solo uso."
ADMIT_LINE_MANUAL = (
    "• {group} ({channel}): el bot no puede agregarlo aquí; agréguenlo a mano (cel. {phone})."
)
ADMIT_LINE_NO_CHANNEL = "• {group} ({channel}): ese canal no está activo; agréguenlo a mano."
ADMIT_FAILED_OFFICIALS = (
    "⚠️ No se pudo agregar a {name} al grupo {group} ({channel}): {detail}. "
    "Agréguenlo a mano, por favor (cel. {phone})."
)
ADMIT_WELCOME = (
    "¡Bienvenido(a) a {group}! Tu registro {folio} fue aprobado. Escribe /reglas para ver las "
    "reglas del grupo."
)
ADMIT_INVITE = (
    "Tu registro {folio} fue aprobado. Únete a {group} con este enlace (es personal y de un "
    "solo uso): {link}"
)
REG_REJECTED_PRIVATE = (
    "Tu solicitud {folio} para unirte a los grupos CASS no fue aprobada. Motivo: {reason}. "
    "Si tienes dudas escribe /queja o llama a Gobierno Digital."
)
REG_INFO_PRIVATE = (
    "Sobre tu solicitud {folio}, Gobierno Digital pregunta: {question}\n"
    "Responde en {url}/registro/estado con tu folio y tu número."
)

# Joins, leaves, bans (to the group's officials).
UNAPPROVED_JOIN_SUBJECT = "Ingreso sin registro en {group}"
UNAPPROVED_JOIN = (
    "⚠️ {name} entró a {group} sin una solicitud de registro aprobada. Revísalo en "
    "{url}/panel/padron?comunidad={community_id}{action}"
)
UNAPPROVED_REMOVED_NOTE = " (la comunidad pide retirar a quien no está registrado: se retiró)."
UNAPPROVED_REMOVED_PRIVATE = (
    "Para estar en {group} primero hay que registrarse en {url}/registro. En cuanto se apruebe "
    "tu solicitud te agregamos."
)
BANNED_REGISTRATION_NOTE = "Este número tiene una expulsión vigente en {community}: {reason}."

# Complaints and suggestions by chat (/queja, /sugerencia).
FEEDBACK_USAGE = "Escribe /{name} seguido de tu mensaje, por ejemplo: /{name} {example}"
FEEDBACK_EXAMPLES: dict[str, str] = {
    "queja": "No me han atendido el reporte de la fuga.",
    "sugerencia": "Sería bueno publicar los horarios del agua.",
}
FEEDBACK_RECEIVED = (
    "Recibimos tu {kind} con el folio {folio}. Gobierno Digital te responde en menos de "
    "{hours} horas por este chat."
)
FEEDBACK_RECEIVED_WEB = "Recibimos tu {kind}. Gobierno Digital responde en menos de {hours} horas."
FEEDBACK_ANSWER_PRIVATE = "Respuesta a tu {kind} {folio}: {answer}"

# Appeals (/apelar, /apelacion).
APPEAL_USAGE = "Escribe /apelar seguido de por qué pides volver al grupo."
APPEAL_NO_BAN = "No tienes una expulsión vigente en los grupos CASS: no hay nada que apelar."
APPEAL_NO_BAN_WEB = (
    "No encontramos una expulsión vigente para ese folio y ese número. Revisa los datos; si "
    "no tienes folio de registro, escribe /apelar en un chat privado con el bot."
)
APPEAL_DUPLICATE = "Ya tienes una apelación en revisión con el folio {folio}."
APPEAL_RECEIVED = (
    "Recibimos tu apelación con el folio {folio}. La resolverá un funcionario distinto de "
    "quien te expulsó, en menos de {hours} horas."
)
APPEAL_UPHELD_PRIVATE = (
    "Tu apelación {folio} procede: se levantó tu expulsión de {community} y te volvemos a "
    "agregar al grupo. Recuerda respetar las reglas (/reglas)."
)
APPEAL_REJECTED_PRIVATE = "Tu apelación {folio} no procede. Motivo: {reason}."

# Decisions refused (panel and CLI show these).
DECISION_ALREADY = "Esta solicitud ya fue resuelta ({status})."
DECISION_REASON_MISSING = "Escribe el motivo: la persona lo verá."
DECISION_QUESTION_MISSING = "Escribe la pregunta para la persona."
DECISION_BAN_CONFIRM = (
    "Este número tiene una expulsión vigente en la comunidad ({reason}). Para aprobar, "
    "confirma que levantas la expulsión."
)
APPEAL_SAME_OFFICIAL = (
    "No puedes resolver esta apelación: tú expulsaste a esta persona ({banned_by}). Debe "
    "resolverla otro funcionario."
)
BAN_LIFT_REASON_MISSING = "Escribe por qué se levanta la expulsión."
BAN_ALREADY_LIFTED = "Esa expulsión ya fue levantada."

# Panel.
PANEL_LOGIN_FAILED = "Usuario o contraseña incorrectos."
PANEL_LOGIN_LOCKED = (
    "Demasiados intentos fallidos. Por seguridad espera {minutes} minutos antes de volver a "
    "intentarlo."
)
PANEL_SESSION_EXPIRED = "Tu sesión terminó. Vuelve a iniciar sesión."
PANEL_FORBIDDEN = "Tu cuenta no tiene permiso para ver esta página."
PANEL_CSRF = "La página caducó y no se guardó nada. Vuelve a cargarla e inténtalo de nuevo."
PANEL_DONE: dict[str, str] = {
    "approved": "Solicitud {folio} aprobada. Se avisó a los administradores del grupo.",
    "rejected": "Solicitud {folio} rechazada. La persona verá el motivo.",
    "info_requested": "Pregunta enviada. La persona la verá al consultar su folio {folio}.",
    "answered": "Respuesta enviada ({folio}).",
    "appeal_upheld": "Apelación {folio} procedente: expulsión levantada y readmisión en curso.",
    "appeal_rejected": "Apelación {folio} no procedente.",
    "ban_lifted": "Expulsión levantada.",
    "role_set": "Rol actualizado.",
    "review_accepted": "Miembro aceptado en el padrón.",
    "password_changed": "Contraseña cambiada.",
}
PANEL_PASSWORD_SHORT = "La contraseña debe tener al menos {length} caracteres."
PANEL_PASSWORD_MISMATCH = "Las contraseñas no coinciden."
PANEL_PASSWORD_WRONG = "La contraseña actual no es correcta."
ROLE_LABELS: dict[str, str] = {
    "vecino": "Vecino(a)",
    "autoridad_local": "Autoridad local",
    "funcionario": "Funcionario(a)",
    "administrador": "Administrador(a)",
}
MEMBER_STATUS_LABELS: dict[str, str] = {
    "active": "En el grupo",
    "left": "Salió",
    "removed": "Retirado(a)",
    "banned": "Expulsado(a)",
}
REG_ANSWERED_SUBJECT = "Respuesta del solicitante: {folio}"
REG_ANSWERED = (
    "La persona respondió a la pregunta sobre la solicitud {folio} ({community}).\n\n"
    "Pregunta: {question}\nRespuesta: {answer}\n\nNuevo plazo: {due}. "
    "Revísala en {url}/panel/registros/{folio}"
)

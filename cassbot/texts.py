"""Every user-facing text, in Spanish (es-MX), in one catalogue.

Texts are `str.format` templates with named fields. Keep them plain, firm and respectful: many
readers are older neighbours reading on a phone. Never repeat an insult back to anyone.
Sections: rules, commands (core), playground, service requests (tickets).

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
ENF_REVIEW_PANEL = "También puedes revisarlo en el panel: {url}/panel/moderacion/{case}"
ENF_NEED_TARGET = (
    "¿A quién? Responde al mensaje de la persona con /{command}, o escribe /{command} @nombre."
)
ENF_TARGET_NOT_FOUND = "No encontré a {handle} en este grupo."
ENF_TARGET_AMBIGUOUS = (
    "Hay varias personas que coinciden con @{handle} ({names}). Responde con /{command} al "
    "mensaje de la persona correcta."
)
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
ENF_CASE_CONFIRMED = (
    "✅ Caso #{case} confirmado: se aplicó la regla (la sanción es el caso #{sanction}; "
    "para deshacerla escribe /deshacer {sanction})."
)
ENF_UNDO_NOT_A_SANCTION = (
    "El caso #{case} no sancionó a nadie ({status}); si se confirmó, deshaz el caso de la "
    "sanción que indica /confirmar."
)
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

# --- Moderation in the officials' panel (cassbot/enforcement/web_panel.py) -----------------

MODPANEL_STATUS: dict[str, str] = {
    "review": "En revisión",
    "confirmed": "Confirmado",
    "dismissed": "Descartado",
    "applied": "Aplicado",
    "dry_run": "Modo de prueba (no se aplicó)",
    "undone": "Deshecho",
}
MODPANEL_EFFECTS: dict[str, str] = {
    "delete": "mensaje retirado",
    "warn_group": "advertencia en el grupo",
    "warn_private": "aviso en privado",
    "expel": "baja del grupo",
    "alert_security": "aviso a Seguridad Ciudadana",
    "review": "ninguno mientras no se revise",
}
MODPANEL_ACTIONS: dict[str, str] = {
    "moderation.sanction": "Sanción",
    "moderation.review": "Enviado a revisión",
    "moderation.confirmed": "Revisión: confirmado",
    "moderation.dismissed": "Revisión: descartado",
    "moderation.undo": "Sanción deshecha",
}
MODPANEL_DONE: dict[str, str] = {
    "confirmed": "Caso #{case} confirmado: se aplicó la regla (caso #{applied}).",
    "dismissed": "Caso #{case} descartado: no se sancionó a nadie.",
    "undone": "Caso #{case} deshecho: {what}. Los mensajes borrados no se pueden recuperar.",
}
MODPANEL_NOT_FOUND = "No existe ese caso, o no es de tus comunidades."
MODPANEL_DECIDED = (
    "El caso #{case} ya no está en revisión: {status} por {who} ({when}). No se hizo nada más."
)
MODPANEL_ALREADY_UNDONE = (
    "El caso #{case} ya estaba deshecho ({who}, {when}). No se hizo nada más."
)
MODPANEL_NOT_UNDOABLE = (
    "El caso #{case} no es una sanción ({status}): no hay nada que deshacer. "
    "Una revisión confirmada se deshace desde la sanción que produjo."
)
MODPANEL_NO_GROUP = (
    "El grupo del caso #{case} ya no está en la configuración: no se puede aplicar la regla."
)
MODPANEL_TEXT_GONE = "El texto ya se borró (se guarda solo por un tiempo)."

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

# --- Service requests (tickets), announcements, transparency: cassbot/tickets -------------
# Folios look like JIL-2026-000123. Group messages name departments, never people.

TK_EMERGENCY = (
    "🚨 *Si hay peligro ahora mismo, llama al 911.* Aléjate del lugar y pon a salvo a las "
    "personas; no te arriesgues.\n"
)
TK_ACK = (
    "{urgent}📝 Registré el reporte con el folio *{folio}* ({category}).\n"
    "{place}{reached}\n"
    "El área debe acusar de recibido antes del {ack_due}. Avisaré de cada cambio; "
    "consulta con /folio {folio}.{cancel}"
)
TK_PLACE_LINE = "📍 {place}\n"
TK_RESEND_RESPECTFULLY = (
    "Tu mensaje también parecía un reporte, pero lo retiramos por el lenguaje y no quedó "
    "registrado. Si el problema sigue, vuelve a escribirlo con respeto o usa /reporte y lo "
    "turnamos al área que corresponde."
)
TK_REACHED = "Lo turné a: {departments}."
TK_NOBODY_REACHED = (
    "El área aún no tiene a quién avisar por este medio; Gobierno Digital lo hará llegar."
)
TK_CANCEL_HINT = "\nSi no era un reporte, escribe /cancelar {folio}."
TK_LINKED = (
    "{urgent}📝 Ya hay un reporte de esto: folio *{folio}* ({status}). Te sumé para que "
    "recibas los avisos; ya son {affected} personas afectadas."
)
TK_ALREADY_FOLLOWING = "Ya sigues el folio *{folio}* ({status}). Te avisaré de cada cambio."
TK_REPORT_USAGE = (
    "Cuéntame qué pasa y dónde, por ejemplo:\n"
    "/reporte Hay una fuga de agua en la calle Hidalgo esquina con Morelos"
)
TK_VOICE_TEXT = "(Nota de voz)"
TK_PRIVATE_WHICH_COMMUNITY = (
    "Estás en varios grupos. Escribe el nombre corto de la comunidad antes del texto, por "
    "ejemplo: /reporte canalejas Hay una fuga en la calle Hidalgo\n{communities}"
)
TK_PRIVATE_NO_COMMUNITY = (
    "No encuentro tu comunidad. Escribe su nombre corto antes del texto, por ejemplo: "
    "/reporte canalejas Hay una fuga en la calle Hidalgo\n{communities}"
)
TK_TICKET_USAGE = "Responde con /ticket [categoría] al mensaje que quieres convertir en reporte."
TK_TICKET_NO_SOURCE = "No encuentro ese mensaje de un vecino; responde directamente a él."
TK_UNKNOWN_CATEGORY = "No conozco la categoría «{word}». Usa una de estas: {known}."
TK_ALREADY_TICKET = "Ese mensaje ya es el folio *{folio}*."
TK_RECATEGORISED = "Folio *{folio}*: ahora es «{category}», a cargo de {department}."
TK_UNKNOWN_FOLIO = "No encuentro el folio {folio}. Revisa que esté bien escrito."
TK_NEED_FOLIO = (
    "Indica el folio, por ejemplo /{name} JIL-2026-000123, o responde con /{name} al mensaje "
    "del reporte."
)
TK_NOT_OFFICIAL = (
    "Este comando es para funcionarios registrados de las áreas. Si lo eres, pide a Gobierno "
    "Digital que te dé de alta."
)
TK_NOT_YOUR_TICKET = (
    "El folio {folio} está a cargo de {department}: solo sus funcionarios de esa comunidad, "
    "administración o Presidencia pueden cambiarlo."
)
TK_NEED_REASON = "Escribe el motivo después del folio: /{name} FOLIO motivo."
TK_CANNOT_CHANGE = "El folio {folio} está «{status}»; no se puede pasar a «{new}»."
TK_STATUS_DONE = "✅ Folio *{folio}*: {status}. Ya avisé a quien lo reportó."
TK_DUPLICATE_USAGE = "Indica el folio original: /duplicado FOLIO FOLIO_ORIGINAL."
TK_DUPLICATE_SELF = "Un folio no puede ser duplicado de sí mismo."
TK_MERGED = "✅ El folio *{folio}* quedó unido al *{original}*; sus vecinos siguen ese folio."
TK_NO_PENDING = "No hay reportes abiertos de tu área. 👍"
TK_PENDING_HEADER = "📋 Reportes abiertos ({count}):"
TK_PENDING_LINE = "• {folio} · {category} · {community} · {status} · desde {since}{overdue}"
TK_PENDING_MORE = "… y {count} más."
TK_NOT_YOURS = (
    "Solo puedes consultar o cambiar los folios que reportaste o sigues. Las cifras públicas "
    "están en /transparencia."
)
TK_DETAIL = (
    "📋 Folio *{folio}*\n"
    "Servicio: {category} ({department})\n"
    "Comunidad: {community}\n"
    "Lugar: {place}\n"
    "Estado: {status}\n"
    "Reportado: {requested}\n"
    "{ack}\n"
    "Atención estimada: {expected}\n"
    "Personas afectadas: {affected}{note}"
)
TK_DETAIL_ACKED = "Acuse del área: {at}"
TK_DETAIL_ACK_DUE = "Acuse del área: pendiente (plazo: {at})"
TK_NO_PLACE = "sin dato"
TK_UNKNOWN_PERSON = "(sin nombre)"
TK_MY_NONE = "No tienes reportes. Para pedir un servicio escribe /reporte y cuenta qué pasa."
TK_MY_HEADER = "📋 Tus reportes:"
TK_MY_LINE = "• {folio} · {category} · {status}"
TK_CANNOT_CANCEL = (
    "El folio {folio} ya está «{status}»: el área ya lo tomó y no se puede cancelar."
)
TK_CANCELLED = "Listo, cancelé el folio *{folio}*."
TK_NOT_WAITING = "El folio {folio} está «{status}»: no espera tu confirmación."
TK_THANKS_CONFIRMED = "¡Gracias por confirmar! Cerré el folio *{folio}*."
TK_REOPENED = "Reabrí el folio *{folio}* y avisé al área. Te mantendré al tanto."
TK_NOTE_LINE = "\nNota: {note}"
TK_NOTE_CONFIRMED = "Quien lo reportó confirmó que se resolvió."
TK_NOTE_CANCELLED = "Cancelado por quien lo reportó."
TK_NOTE_AUTO_CLOSED = "Cerrado: nadie dijo que siguiera sin resolverse."
TK_NOTE_DUPLICATE = "Es el mismo problema que el folio {original}."

TK_CITIZEN_STATUS = "🔔 Folio *{folio}*: {status} ({department}).{note}"
TK_CITIZEN_RESOLVED = (
    "🔔 Folio *{folio}*: el área lo marcó como resuelto.{note}\n"
    "*¿Se resolvió?* Responde «sí» o «no» a este mensaje (o escribe /si {folio} o "
    "/no {folio})."
)
TK_CITIZEN_DUPLICATE = (
    "🔔 Tu folio *{folio}* es el mismo problema que el folio *{original}*: te avisaré de los "
    "cambios de ese folio."
)
TK_CITIZEN_BREACH = (
    "⏰ Folio *{folio}*: {department} aún no ha acusado de recibido y venció el plazo de 24 "
    "horas. Ya lo escalamos a la dirección del área y a Presidencia; te avisaré en cuanto lo "
    "tomen. Perdón por la demora."
)

TK_OFFICIAL_URGENT = "🚨 URGENTE (emergencia posible: ya se indicó llamar al 911)\n"
TK_OFFICIAL_NEW = (
    "{urgent}📋 Nuevo reporte {folio} — {category}\n"
    "Comunidad: {community}\n"
    "Lugar: {place}\n"
    "Reportó: {requester}\n"
    "Mensaje: «{text}»\n"
    "{media}"
    "Acusen de recibido antes del {ack_due}: /recibido {folio}\n"
    "Después: /atendiendo {folio} · /resuelto {folio} nota · /rechazar {folio} motivo"
)
TK_OFFICIAL_MEDIA = "Adjuntos: {count} (nota de voz o foto; consúltalos en el chat de origen)\n"
TK_OFFICIAL_REMINDER = (
    "⏰ Recordatorio: el folio {folio} ({category}) lleva {hours} h sin acuse de recibido. "
    "Plazo: {ack_due}. Responde /recibido {folio}."
)
TK_OFFICIAL_ESCALATION = (
    "⚠️ Escalamiento: el folio {folio} ({category}, {department}) lleva {hours} h sin acuse "
    "de recibido. Plazo: {ack_due}. Cualquier funcionario del área puede responder "
    "/recibido {folio}."
)
TK_OFFICIAL_BREACH = (
    "🔴 Plazo vencido: el folio {folio} ({category}, {department}) lleva {hours} h sin acuse "
    "de recibido. Se recordará cada día hasta que alguien responda /recibido {folio}."
)
TK_OFFICIAL_OVERDUE = (
    "⏳ El folio {folio} ({category}) pasó su plazo de atención ({expected}) y sigue abierto. "
    "Actualízalo con /atendiendo, /resuelto o /rechazar."
)
TK_OFFICIAL_REOPENED = (
    "🔁 Quien reportó el folio {folio} dice que NO se resolvió: quedó reabierto. Acusen de "
    "recibido antes del {ack_due}: /recibido {folio}"
)
TK_OFFICIAL_REROUTED = "📋 Reporte turnado a su área: {folio} — {category}\nMensaje: «{text}»"
TK_OFFICIAL_CANCELLED = "El folio {folio} fue cancelado por quien lo reportó."

AV_USAGE = (
    "Uso: /aviso comunidad1,comunidad2 texto  ·  /aviso todas texto\n"
    "Para programarlo: /aviso --a las 2026-12-05 09:00 todas texto\n"
    "Comunidades: {communities}"
)
AV_UNKNOWN_COMMUNITY = "No conozco la comunidad «{name}». Comunidades: {communities}"
AV_NOT_COVERED = "No tienes a tu cargo la comunidad «{name}»."
AV_BAD_TIME = "No entiendo la fecha «{value}». Usa AAAA-MM-DD HH:MM, por ejemplo 2026-12-05 09:00."
AV_PAST_TIME = "Esa hora ya pasó ({when}). Elige una hora futura."
AV_TOO_LONG = "El aviso es demasiado largo (máximo {limit} caracteres)."
AV_EMPTY = "Escribe el texto del aviso después de las comunidades."
AV_NO_GROUPS = "Esas comunidades no tienen grupos configurados."
AV_QUEUED = "📣 Aviso #{id} en camino a {groups} grupo(s) de {communities} comunidad(es)."
AV_SCHEDULED = (
    "🗓️ Aviso #{id} programado para el {when} ({communities} comunidad(es)). "
    "Para cancelarlo: /avisos cancelar {id}"
)
AV_MESSAGE = "📣 *Aviso de {department}*\n{text}"
AV_LIST_HEADER = "📣 Últimos avisos:"
AV_LIST_LINE = "• #{id} {status} · {when} · entregado en {delivered}/{total} grupo(s){failed}"
AV_LIST_FAILED = " · {count} con error"
AV_LIST_NONE = "Aún no hay avisos."
AV_CANCELLED = "Cancelé el aviso #{id}."
AV_CANNOT_CANCEL = "El aviso #{id} no está programado (ya salió o no existe)."
AV_STATUS = {"programado": "programado", "enviando": "enviado", "cancelado": "cancelado"}

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
REG_ERR_CODE_MISSING = "Escribe la clave de consulta que te dimos junto con el folio."
REG_ERR_CODE = (
    "La clave de consulta tiene 8 letras y números, por ejemplo K7QM-4XPD. Revisa que esté "
    "bien escrita."
)
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
# The form never shows the existing folio: whoever typed the number may not be its owner.
REG_DUPLICATE = (
    "Ya hay una solicitud en revisión para ese número, así que no guardamos otra. Si la "
    "enviaste tú, consulta cómo va con el folio y la clave de consulta que te dimos al "
    "enviarla; también te los acabamos de reenviar por mensaje privado a ese número cuando el "
    "asistente puede escribirte ahí (por ejemplo, por WhatsApp). Si no los tienes, llama a "
    "Gobierno Digital."
)
REG_DUPLICATE_PRIVATE = (
    "Alguien volvió a llenar el formulario de registro a los grupos CASS con tu número. Tu "
    "solicitud {folio} sigue en revisión; tu clave de consulta es {code}. Consulta cómo va en "
    "{url}/registro/estado con los dos. No compartas la clave. Si no fuiste tú, no tienes que "
    "hacer nada."
)
STATUS_NOT_FOUND = (
    "No encontramos un folio con esa clave de consulta. Revisa que los dos estén bien escritos."
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
ADMIT_LINE_ADD = (
    "• {group} ({channel}): el bot lo agrega al grupo (si la plataforma no lo permite, le "
    "envía el enlace para unirse)."
)
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
# After the channel refused to add the person (WhatsApp privacy settings); the link may be
# the group's own (WhatsApp), so it is not called personal.
ADMIT_INVITE_AFTER_REFUSAL = (
    "Tu registro {folio} fue aprobado, pero no pudimos agregarte directamente a {group}: tu "
    "configuración de privacidad solo permite que te agreguen tus contactos. Únete con este "
    "enlace: {link}"
)
REG_REJECTED_PRIVATE = (
    "Tu solicitud {folio} para unirte a los grupos CASS no fue aprobada. Motivo: {reason}. "
    "Si tienes dudas escribe /queja o llama a Gobierno Digital."
)
REG_INFO_PRIVATE = (
    "Sobre tu solicitud {folio}, Gobierno Digital pregunta: {question}\n"
    "Responde en {url}/registro/estado con tu folio {folio} y tu clave de consulta {code}."
)

# Joins, leaves, bans (to the group's officials).
UNAPPROVED_JOIN_SUBJECT = "Ingreso sin registro en {group}"
UNAPPROVED_JOIN = (
    "⚠️ {name} entró a {group} sin una solicitud de registro aprobada. Revísalo en "
    "{url}/panel/padron?comunidad={community_id}{action}"
)
UNAPPROVED_REMOVED_NOTE = " (la comunidad pide retirar a quien no está registrado: se retiró)."
UNAPPROVED_TRIAL_NOTE = (
    " (la comunidad pide retirar a quien no está registrado, pero el grupo está en modo de "
    "prueba: no se retiró; solo quedó anotado)."
)
UNAPPROVED_REMOVED_PRIVATE = (
    "Para estar en {group} primero hay que registrarse en {url}/registro. En cuanto se apruebe "
    "tu solicitud te agregamos."
)
BANNED_REGISTRATION_NOTE = "Este número tiene una expulsión vigente en {community}: {reason}."

# --- Join requests ("solicitar unirse", Telegram): approved applicants are let in; anyone
# else waits for the admins, who are told why ({why}: one of JOIN_REQUEST_WHY).
JOIN_REQUEST_PENDING_SUBJECT = "Solicitud pendiente para entrar a {group}"
JOIN_REQUEST_PENDING = (
    "🙋 {name} pidió entrar a {group} ({channel}). {why} La solicitud sigue pendiente en "
    "{channel}: apruébala o recházala ahí. Padrón de la comunidad: "
    "{url}/panel/padron?comunidad={community_id}"
)
JOIN_REQUEST_WHY: dict[str, str] = {
    "unregistered": "No tiene una solicitud de registro aprobada.",
    "banned": "Tiene una expulsión vigente en esta comunidad.",
    "cannot_approve": (
        "Su registro está aprobado, pero el asistente no puede aceptar solicitudes en este canal."
    ),
}
JOIN_REQUEST_REGISTER = (
    "Hola. Para entrar a {group} primero hay que registrarse en {url}/registro. Cuando se "
    "apruebe tu solicitud te avisaremos cómo entrar."
)
# --- end join requests ---

# Complaints and suggestions by chat (/queja, /sugerencia).
FEEDBACK_USAGE = "Escribe /{name} seguido de tu mensaje, por ejemplo: /{name} {example}"
FEEDBACK_EXAMPLES: dict[str, str] = {
    "queja": "No me han atendido el reporte de la fuga.",
    "sugerencia": "Sería bueno publicar los horarios del agua.",
}
FEEDBACK_RECEIVED = (
    "Recibimos tu {kind} con el folio {folio}. Gobierno Digital te responde en menos de "
    "{hours} horas por este chat. También puedes consultarla en {url}/registro/estado con el "
    "folio y la clave de consulta {code} (no la compartas)."
)
FEEDBACK_RECEIVED_WEB = "Recibimos tu {kind}. Gobierno Digital responde en menos de {hours} horas."
FEEDBACK_ANSWER_PRIVATE = "Respuesta a tu {kind} {folio}: {answer}"

# Appeals (/apelar, /apelacion).
APPEAL_USAGE = "Escribe /apelar seguido de por qué pides volver al grupo."
APPEAL_NO_BAN = "No tienes una expulsión vigente en los grupos CASS: no hay nada que apelar."
APPEAL_NO_BAN_WEB = (
    "No encontramos una expulsión vigente para ese folio y esa clave de consulta. Revisa los "
    "datos; si no tienes el folio y la clave de tu registro, escribe /apelar en un chat "
    "privado con el asistente."
)
APPEAL_DUPLICATE = "Ya tienes una apelación en revisión con el folio {folio}."
APPEAL_RECEIVED = (
    "Recibimos tu apelación con el folio {folio} (clave de consulta {code}). La resolverá un "
    "funcionario distinto de quien te expulsó, en menos de {hours} horas."
)
APPEAL_RECEIVED_WEB = (
    "La resolverá un funcionario distinto de quien te expulsó, en menos de {hours} horas."
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

# --- Moderation (owned by the moderation package; see moderation/policy.py) ---------------
# Warnings never quote or repeat what was said: they name the rule and the kind of problem.
# Fields: {who} member's name or "Vecina/vecino", {rule} rule number, {rule_text} the rule,
# {reason} one of MOD_REASONS, {count}/{limit} warnings, {days} window, {next} MOD_NEXT_*.

MOD_REASONS: dict[str, str] = {
    "insult": "tiene insultos u ofensas hacia otra persona",
    "hate": "tiene expresiones de odio o discriminación contra un grupo de personas",
    "sexual": "tiene comentarios de carácter sexual dirigidos a otra persona",
    "threat": "tiene una amenaza o una incitación a la violencia",
    "casual": "tiene lenguaje vulgar",
    "ad": "es publicidad o una venta",
    "chain": "parece una cadena o un aviso sin confirmar que se reenvía",
    "political": "es propaganda política",
    "scam": "tiene un enlace o una oferta que puede ser un fraude",
    "probation": "tiene un enlace, y quienes acaban de entrar al grupo aún no pueden compartirlos",
    "flood": "forma parte de muchos mensajes seguidos o repetidos",
}
MOD_APPEAL = "Si crees que es un error, escribe /apelar en privado al asistente."
MOD_NEXT_WARN = "con {remaining} advertencias más en ese plazo se te dará de baja del grupo."
MOD_NEXT_LAST = "con una advertencia más en ese plazo se te dará de baja del grupo."
MOD_NEXT_NONE = "no cuenta para una baja del grupo."
MOD_WARN_GROUP = (
    "⚠️ {who}: retiramos un mensaje porque {reason} (regla {rule} de los grupos CASS). "
    "Llevas {count} de {limit} advertencias en {days} días; {next} " + MOD_APPEAL
)
MOD_WARN_GROUP_NO_COUNT = (
    "⚠️ {who}: retiramos un mensaje porque {reason} (regla {rule} de los grupos CASS). "
    + MOD_APPEAL
)
MOD_WARN_PRIVATE = (
    "Hola, {who}. Retiramos tu mensaje del grupo porque {reason}.\n"
    "Regla {rule}: {rule_text}\n"
    "Llevas {count} de {limit} advertencias en los últimos {days} días; {next}\n"
    "Las advertencias dejan de contar a los {days} días. " + MOD_APPEAL
)
MOD_WARN_PRIVATE_NO_COUNT = (
    "Hola, {who}. Retiramos tu mensaje del grupo porque {reason}.\n"
    "Regla {rule}: {rule_text}\n" + MOD_APPEAL
)
MOD_EXPEL_GROUP = (
    "🚫 Dimos de baja del grupo a {who} por acumular {count} advertencias en {days} días "
    "(regla {rule} de los grupos CASS). Puede apelar escribiendo /apelar en privado al "
    "asistente."
)
MOD_EXPEL_PRIVATE = (
    "Hola, {who}. Te dimos de baja del grupo porque acumulaste {count} advertencias en "
    "{days} días. La última fue porque tu mensaje {reason}.\n"
    "Regla {rule}: {rule_text}\n"
    "Si crees que es un error, escribe /apelar aquí mismo y una persona revisará tu caso."
)
MOD_ALERT_SECURITY = (
    "🚨 Aviso para Seguridad Ciudadana: un mensaje en un grupo CASS {reason}. "
    "Texto señalado: «{quote}». El asistente aplicó las reglas del grupo y el caso quedó "
    "registrado."
)
MOD_REVIEW = (
    "👀 Un mensaje necesita revisión: posiblemente {reason} (regla {rule}). "
    "Nadie ha sido sancionado mientras no lo revisen."
)
MOD_DEFAULT_WHO = "Vecina o vecino"

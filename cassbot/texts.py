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
    "Texto señalado: «{quote}». Revisen el caso en el panel de moderación."
)
MOD_REVIEW = (
    "👀 Un mensaje necesita revisión: posiblemente {reason} (regla {rule}). "
    "Nadie ha sido sancionado; confirmen o descarten el caso en el panel."
)
MOD_DEFAULT_WHO = "Vecina o vecino"

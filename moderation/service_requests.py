"""Service-request screener: is this chat message asking for a public service, and from whom?

Pure and deterministic (no I/O, no clock). The lexicon is compiled once at import into a table
keyed by a phrase's first token, so matching is one pass over the message's tokens with a
bounded look-ahead: linear in the length of the text, whatever the input (no backtracking
regular expressions over user text). Text is folded first: lower case, accents removed, runs of
three or more equal letters squeezed ("aguaaa" → "agua"), so "Fuga de AGUA" and "fuga de
agua" read the same.

A message is a service request when its best category scores at least `_THRESHOLD` and it either
says the problem outright (a strong phrase such as "fuga de agua", "no hay agua", "incendio")
or carries a request cue ("urge", "por favor", "desde hace", "nadie viene"). Thanks for a fixed
problem, announcements and schedule questions are not requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CATEGORIES",
    "DEPARTMENTS",
    "Category",
    "ServiceRequestMatch",
    "classify",
    "extract_place",
    "fold",
    "parse_category",
]


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    department: str
    label: str  # Spanish, for people
    always_emergency: bool = False
    aliases: tuple[str, ...] = ()  # words an official may type after /ticket


# The departments a service request can go to (codes as in the configuration).
DEPARTMENTS = ("agua", "servicios", "seguridad", "proteccion_civil")

CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("fuga", "agua", "Fuga de agua", aliases=("fuga de agua", "tuberia")),
        Category("sin_agua", "agua", "Falta de agua", aliases=("sin agua", "no hay agua", "agua")),
        Category(
            "drenaje",
            "agua",
            "Drenaje, coladera o alcantarilla",
            aliases=("coladera", "alcantarilla", "aguas negras"),
        ),
        Category(
            "luminaria",
            "servicios",
            "Alumbrado público",
            aliases=("alumbrado", "lampara", "luz", "poste"),
        ),
        Category("basura", "servicios", "Recolección de basura", aliases=("recoleccion",)),
        Category("bache", "servicios", "Baches y pavimento", aliases=("baches", "pavimento")),
        Category(
            "animal",
            "servicios",
            "Animal muerto o suelto en la vía pública",
            aliases=("animal muerto", "perro", "perros"),
        ),
        Category("robo", "seguridad", "Robo o asalto", aliases=("asalto",)),
        Category(
            "sospechoso",
            "seguridad",
            "Persona o vehículo sospechoso",
            aliases=("persona sospechosa", "vehiculo sospechoso"),
        ),
        Category(
            "violencia",
            "seguridad",
            "Riña, amenazas o violencia",
            aliases=("amenaza", "amenazas", "pelea", "rina"),
        ),
        Category(
            "incendio", "proteccion_civil", "Incendio", always_emergency=True, aliases=("fuego",)
        ),
        Category(
            "inundacion",
            "proteccion_civil",
            "Inundación",
            always_emergency=True,
            aliases=("inundado",),
        ),
        Category(
            "fuga_gas", "proteccion_civil", "Fuga de gas", always_emergency=True, aliases=("gas",)
        ),
        Category("arbol_caido", "proteccion_civil", "Árbol caído o en riesgo", aliases=("arbol",)),
        Category(
            "cables",
            "proteccion_civil",
            "Cables caídos o poste en riesgo",
            aliases=("cable", "cables caidos"),
        ),
    )
}

# phrase → weight, per category. Weight 3+ marks a "strong" phrase: the problem said outright.
_LEXICON: dict[str, dict[str, int]] = {
    "fuga": {
        "fuga": 3,
        "fuga de agua": 4,
        "fugas": 3,
        "tubo roto": 4,
        "tuberia rota": 4,
        "se rompio el tubo": 4,
        "reventó el tubo": 4,
        "revento el tubo": 4,
        "tirando agua": 3,
        "brotando agua": 4,
        "esta brotando": 3,
        "tira agua": 3,
        "se esta tirando el agua": 4,
        "brota agua": 3,
        "sale agua": 2,
        "desperdiciando agua": 3,
        "chorro de agua": 3,
        "medidor": 1,
        "tubo": 1,
        "tuberia": 1,
        "agua": 1,
    },
    "sin_agua": {
        "no hay agua": 4,
        "sin agua": 4,
        "no tenemos agua": 4,
        "no llega el agua": 4,
        "no nos llega el agua": 4,
        "no cae agua": 4,
        "no cae el agua": 4,
        "no sale agua": 4,
        "no ha llegado el agua": 4,
        "no ha caido el agua": 4,
        "no tenemos servicio de agua": 4,
        "falta de agua": 4,
        "se fue el agua": 4,
        "nos quitaron el agua": 4,
        "no llego el agua": 4,
        "no tiene agua": 4,
        "no tienen agua": 4,
        "no han mandado agua": 4,
        "no mandan agua": 4,
        "pipa": 2,
        "pipa de agua": 3,
        "baja presion": 3,
        "poca presion": 3,
        "agua": 1,
    },
    "drenaje": {
        "drenaje": 2,
        "drenaje tapado": 4,
        "coladera": 2,
        "coladera tapada": 4,
        "alcantarilla": 2,
        "alcantarilla sin tapa": 4,
        "coladera sin tapa": 4,
        "aguas negras": 4,
        "se desborda el drenaje": 4,
        "se salen las aguas": 3,
        "huele a drenaje": 4,
        "mal olor": 2,
        "registro": 1,
        "tapada": 1,
        "tapado": 1,
        "desazolve": 3,
    },
    "luminaria": {
        "luminaria": 3,
        "luminarias": 3,
        "lampara": 2,
        "lamparas": 2,
        "alumbrado": 2,
        "alumbrado publico": 3,
        "lampara fundida": 4,
        "foco fundido": 4,
        "fundida": 2,
        "fundido": 1,
        "sin luz": 2,
        "no prende": 2,
        "no prenden": 2,
        "esta oscuro": 3,
        "muy oscuro": 3,
        "a oscuras": 3,
        "poste": 1,
        "luz": 1,
        "parpadea": 2,
        "lampara sirve": 3,
        "lamparas sirven": 3,
        "se quedo prendida": 2,
    },
    "basura": {
        "basura": 2,
        "no paso la basura": 4,
        "no ha pasado la basura": 4,
        "no pasa la basura": 4,
        "no pasa el camion": 4,
        "no ha pasado el camion": 4,
        "camion de la basura": 3,
        "camion recolector": 3,
        "recolector": 3,
        "recoleccion": 2,
        "recoger la basura": 4,
        "no recogen la basura": 4,
        "tiradero": 3,
        "tiradero de basura": 4,
        "basurero": 2,
        "montones de basura": 4,
        "bolsas de basura": 3,
        "tiran basura": 3,
        "llena de basura": 4,
        "lleno de basura": 4,
    },
    "bache": {
        "bache": 4,
        "baches": 4,
        "hoyo en la calle": 4,
        "hoyo": 2,
        "hoyos": 2,
        "hoyo grande": 3,
        "hoyo enorme": 3,
        "socavon": 4,
        "pavimento": 2,
        "carpeta asfaltica": 3,
        "banqueta rota": 3,
        "calle destrozada": 4,
        "calle en mal estado": 4,
        "reparar la calle": 3,
        "se hundio": 2,
        "en mal estado": 3,
    },
    "animal": {
        "perro muerto": 4,
        "animal muerto": 4,
        "gato muerto": 4,
        "caballo muerto": 4,
        "burro muerto": 4,
        "vaca muerta": 4,
        "perros agresivos": 4,
        "jauria": 3,
        "perros callejeros": 3,
        "perro atropellado": 4,
        "muerto": 1,
        "perro": 1,
        "perros": 1,
        "animal": 1,
        "oloroso": 1,
        "apesta": 1,
    },
    "robo": {
        "robo": 3,
        "robaron": 3,
        "me robaron": 4,
        "nos robaron": 4,
        "le robaron": 4,
        "se robaron": 4,
        "asalto": 4,
        "asaltaron": 4,
        "asaltando": 4,
        "estan robando": 5,
        "se metieron a robar": 5,
        "se metieron a mi casa": 4,
        "rateros": 2,
        "ratero": 2,
        "ladron": 2,
        "ladrones": 2,
        "cristalazo": 4,
        "robando": 3,
        "dio a la fuga": 2,
        "se dieron a la fuga": 2,
    },
    "sospechoso": {
        "sospechoso": 3,
        "sospechosa": 3,
        "sospechosos": 3,
        "persona sospechosa": 4,
        "vehiculo sospechoso": 4,
        "camioneta sospechosa": 4,
        "carro sospechoso": 4,
        "merodeando": 3,
        "rondando": 2,
        "vigilando las casas": 4,
        "tomando fotos": 2,
        "intentando abrir": 4,
        "abriendo carros": 4,
        "patrulla": 1,
        "rondin": 2,
        "rondines": 2,
        "no es de aqui": 2,
    },
    "violencia": {
        "pelea": 3,
        "rina": 3,
        "se estan peleando": 4,
        "golpeando": 3,
        "golpearon": 3,
        "amenazo": 4,
        "amenazaron": 4,
        "amenazando": 4,
        "amenaza": 3,
        "amenazas": 3,
        "disparos": 4,
        "balazos": 4,
        "balacera": 4,
        "armado": 4,
        "armados": 4,
        "pistola": 3,
        "machete": 3,
        "me quiere matar": 5,
        "lo van a matar": 5,
        "violencia": 3,
        "esta golpeando a su": 4,
        "gritos de auxilio": 4,
        "auxilio": 2,
    },
    "incendio": {
        "incendio": 5,
        "se esta quemando": 5,
        "se quema": 4,
        "fuego": 3,
        "llamas": 4,
        "humo": 2,
        "mucho humo": 3,
        "quemando pasto": 4,
        "quema de basura": 3,
        "incendio forestal": 5,
        "se incendio": 5,
        "esta ardiendo": 5,
    },
    "inundacion": {
        "inundacion": 5,
        "inundado": 4,
        "inundada": 4,
        "se inundo": 5,
        "se esta inundando": 5,
        "se inundaron": 5,
        "esta entrando el agua": 5,
        "se desbordo": 4,
        "desbordo": 4,
        "se desborda el rio": 5,
        "crecio el rio": 5,
        "encharcamiento": 3,
        "anegado": 4,
        "corriente de agua": 3,
    },
    "fuga_gas": {
        "fuga de gas": 6,
        "huele a gas": 6,
        "olor a gas": 6,
        "gas": 1,
        "tanque de gas": 2,
        "pipa de gas": 1,
    },
    "arbol_caido": {
        "arbol caido": 4,
        "se cayo un arbol": 5,
        "se cayo el arbol": 5,
        "arbol a punto de caer": 5,
        "rama caida": 4,
        "se cayo una rama": 4,
        "ramas": 1,
        "arbol": 1,
        "arboles": 1,
        "a punto de caerse": 2,
        "se va a caer": 2,
    },
    "cables": {
        "cables caidos": 5,
        "cable caido": 5,
        "cables colgando": 4,
        "cable colgando": 4,
        "se cayo un cable": 5,
        "se cayeron los cables": 5,
        "echando chispas": 4,
        "chispas": 2,
        "poste caido": 4,
        "poste a punto de caer": 5,
        "poste chueco": 3,
        "poste esta chueco": 4,
        "poste se va a caer": 5,
        "cables": 1,
        "cable": 1,
        "transformador": 2,
        "exploto el transformador": 5,
    },
}

# Words that make chatter a request (asking, urgency, duration, nobody came).
_REQUEST_CUES = (
    "urge",
    "urgente",
    "por favor",
    "porfavor",
    "porfa",
    "pueden",
    "podrian",
    "puedan",
    "ayuda",
    "apoyo",
    "necesitamos",
    "necesito",
    "reportar",
    "reporto",
    "reporte",
    "quiero reportar",
    "desde hace",
    "desde ayer",
    "desde el",
    "hace dias",
    "hace una semana",
    "ya son",
    "lleva",
    "llevamos",
    "llevan",
    "tiene dias",
    "ya tiene",
    "nadie viene",
    "nadie ha venido",
    "nadie hace nada",
    "no han venido",
    "no vienen",
    "manden",
    "mandar",
    "vengan",
    "atiendan",
    "atender",
    "revisar",
    "revisen",
    "chequen",
    "hay un",
    "hay una",
    "hay unos",
    "hay unas",
    "esta",
    "estan",
    "otra vez",
    "de nuevo",
    "todavia",
    "aun",
    "sigue",
    "siguen",
    "a quien",
    "con quien",
    "quien",
    "peligro",
    "peligroso",
    "riesgo",
    "cuidado",
    "auxilio",
)
# A fixed problem, thanks for one, an announcement, a schedule question: not a request.
_NOT_REQUEST_CUES = (
    # Past-tense repairs are news, not requests ("¿ya vieron que arreglaron el bache?").
    "arreglaron",
    "repararon",
    "taparon",
    "ya limpiaron",
    "ya recogieron",
    "ya cambiaron",
    "ya pusieron",
    "ya llego",
    "ya llego el agua",
    "ya quedo",
    "ya quedo arreglado",
    "ya arreglaron",
    "ya repararon",
    "ya lo arreglaron",
    "ya se arreglo",
    "ya pasaron",
    "ya paso el camion",
    "ya vinieron",
    "ya vino",
    "ya regreso",
    "ya volvio",
    "ya tenemos",
    "ya hay agua",
    "ya hay luz",
    "gracias por",
    "muchas gracias a",
    "solucionado",
    "quedo arreglado",
    "se les informa",
    "se informa",
    "les informamos",
    "les comunicamos",
    "comunicado",
    "se suspendera",
    "se realizara",
    "mantenimiento programado",
    "corte programado",
    "habra corte",
    "no habra",
    "habra",
    "aviso importante",
    "a que hora",
    "que dia pasa",
    "que horario",
    "que dias pasa",
    "simulacro",
    "capacitacion",
    "reunion",
    "asamblea",
    "felicidades",
    "feliz cumpleanos",
    "vendo",
    "se vende",
    "rifa",
)
_EMERGENCY_CUES = (
    "estan robando",
    "estan asaltando",
    "se estan metiendo",
    "se metieron",
    "ahorita",
    "en este momento",
    "ahora mismo",
    "disparos",
    "balazos",
    "balacera",
    "armado",
    "armados",
    "pistola",
    "me quiere matar",
    "lo van a matar",
    "la van a matar",
    "amenazo",
    "amenazando",
    "auxilio",
    "esta golpeando",
    "se estan peleando",
    "echando chispas",
    "exploto",
)
_EMERGENCY_CATEGORIES_ON_CUE = frozenset({"robo", "sospechoso", "violencia", "cables"})

_THRESHOLD = 3
_STRONG = 3
_MAX_PHRASE = 6

_FOLD = str.maketrans("áàäâãåéèëêíìïîóòöôõúùüûñçýÿ", "aaaaaaeeeeiiiiooooouuuuncyy")
_TOKEN = re.compile(r"[a-z0-9]+")
_SQUEEZE = re.compile(r"([a-z])\1{2,}")


def _fold_table() -> dict[int, str]:
    """Latin letters (and more) to folded lower case, one character for one (keeps offsets)."""
    table: dict[int, str] = {}
    for code in range(0x250):
        char = chr(code)
        folded = (char.lower()[:1] or char).translate(_FOLD)
        if folded != char:
            table[code] = folded
    return table


_FOLD_TABLE = _fold_table()


def fold(text: str) -> str:
    """Lower case without accents, one character per input character (offsets still match)."""
    return text.translate(_FOLD_TABLE)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    folded = fold(text)
    if _SQUEEZE.search(folded) is None:  # the common case: no stretched letters to squeeze
        return [_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    return [
        _Token(_SQUEEZE.sub(r"\1", m.group()), m.start(), m.end()) for m in _TOKEN.finditer(folded)
    ]


def _compile_phrases(
    phrases: dict[tuple[str, ...], tuple[str, int]],
) -> dict[str, list[tuple[tuple[str, ...], str, int]]]:
    table: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
    for words, (tag, weight) in phrases.items():
        table.setdefault(words[0], []).append((words, tag, weight))
    for candidates in table.values():
        candidates.sort(key=lambda c: -len(c[0]))  # longest phrase first
    return table


def _phrase(phrase: str) -> tuple[str, ...]:
    return tuple(t.text for t in _tokens(phrase))


_CATEGORY_TABLE = _compile_phrases(
    {
        _phrase(phrase): (category, weight)
        for category, phrases in _LEXICON.items()
        for phrase, weight in phrases.items()
    }
)
_CUE_TABLE = _compile_phrases(
    {
        **{_phrase(p): ("request", 1) for p in _REQUEST_CUES},
        **{_phrase(p): ("not_request", 1) for p in _NOT_REQUEST_CUES},
    }
)
_EMERGENCY_TABLE = _compile_phrases({_phrase(p): ("emergency", 1) for p in _EMERGENCY_CUES})


def _words(text: str) -> list[str]:
    """The message's words, folded and squeezed, without offsets (the fast path)."""
    folded = fold(text)
    words = _TOKEN.findall(folded)
    if _SQUEEZE.search(folded) is None:
        return words
    return [_SQUEEZE.sub(r"\1", w) for w in words]


def _scan(
    words: list[str], table: dict[str, list[tuple[tuple[str, ...], str, int]]]
) -> list[tuple[str, int, str]]:
    """Every (tag, weight, phrase) found; at each position only the longest phrase counts."""
    found: list[tuple[str, int, str]] = []
    index = 0
    while index < len(words):
        advanced = False
        for phrase, tag, weight in table.get(words[index], ()):
            size = len(phrase)
            if tuple(words[index : index + size]) == phrase:
                found.append((tag, weight, " ".join(phrase)))
                index += size
                advanced = True
                break
        if not advanced:
            index += 1
    return found


@dataclass(frozen=True, slots=True)
class ServiceRequestMatch:
    """A service request recognised in a message."""

    department: str  # agua | servicios | seguridad | proteccion_civil
    category: str  # a key of CATEGORIES
    emergency: bool
    place: str | None  # as written in the message (or the shared location), when given
    score: int
    terms: tuple[str, ...]  # the phrases that decided it (for the audit trail)

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category].label


def classify(
    text: str, *, location: str | None = None, explicit: bool = False
) -> ServiceRequestMatch | None:
    """The service request in `text`, or None for chatter.

    `location` is a shared location's name or coordinates (attachments carry it, not the text).
    `explicit` is for `/reporte`: the person says it is a request, so any category signal is
    enough and announcement/thanks cues are ignored.
    """
    words = _words(text)
    if not words:
        return None
    scores: dict[str, int] = {}
    strongest: dict[str, int] = {}
    terms: dict[str, list[str]] = {}
    for category, weight, phrase in _scan(words, _CATEGORY_TABLE):
        scores[category] = scores.get(category, 0) + weight
        strongest[category] = max(strongest.get(category, 0), weight)
        terms.setdefault(category, []).append(phrase)
    if not scores:
        return None
    _disambiguate(scores, terms)
    best = max(scores, key=lambda c: (scores[c], strongest[c], -_PRIORITY.index(c)))
    score = scores[best]
    cues = _scan(words, _CUE_TABLE)
    asks = any(tag == "request" for tag, _, _ in cues)
    declines = any(tag == "not_request" for tag, _, _ in cues)
    if explicit:
        if score < 1:
            return None
    else:
        if declines or score < _THRESHOLD:
            return None
        if strongest[best] < _STRONG and not asks:
            return None
    chosen = CATEGORIES[best]
    emergency = chosen.always_emergency or (
        best in _EMERGENCY_CATEGORIES_ON_CUE and bool(_scan(words, _EMERGENCY_TABLE))
    )
    place = extract_place(text) or (location.strip() if location else None)
    return ServiceRequestMatch(
        department=chosen.department,
        category=best,
        emergency=emergency,
        place=place,
        score=score,
        terms=tuple(terms[best]),
    )


# Ties go to the more urgent category.
_PRIORITY = [
    "fuga_gas",
    "incendio",
    "inundacion",
    "violencia",
    "robo",
    "cables",
    "arbol_caido",
    "sospechoso",
    "fuga",
    "sin_agua",
    "drenaje",
    "bache",
    "luminaria",
    "basura",
    "animal",
]


def _disambiguate(scores: dict[str, int], terms: dict[str, list[str]]) -> None:
    """Fix the few words that mean different things in different company."""
    # "fuga de gas" is not a water leak; "se dio a la fuga" is a getaway, not a leak.
    if "fuga_gas" in scores and "fuga" in scores and scores["fuga_gas"] >= 6:
        scores.pop("fuga")
    if (
        "robo" in scores
        and "fuga" in scores
        and any("dio a la fuga" in t or "dieron a la fuga" in t for t in terms["robo"])
    ):
        scores["fuga"] -= 3
        if scores["fuga"] <= 0:
            scores.pop("fuga")
    # Water in the street with a rising river is a flood, not a leak.
    if "inundacion" in scores and "fuga" in scores and scores["inundacion"] >= 4:
        scores["fuga"] = min(scores["fuga"], 1)


# --- Places ----------------------------------------------------------------------------------

_PLACE_MARKERS = {
    _phrase(p)
    for p in (
        "calle",
        "avenida",
        "av",
        "blvd",
        "boulevard",
        "bulevar",
        "calzada",
        "carretera",
        "camino",
        "camino a",
        "privada",
        "cerrada",
        "callejon",
        "andador",
        "prolongacion",
        "colonia",
        "col",
        "barrio",
        "fraccionamiento",
        "fracc",
        "manzana",
        "esquina",
        "esq",
        "frente a",
        "frente al",
        "enfrente de",
        "enfrente del",
        "junto a",
        "junto al",
        "cerca de",
        "cerca del",
        "atras de",
        "atras del",
        "detras de",
        "detras del",
        "afuera de",
        "afuera del",
        "a un lado de",
        "a un lado del",
        "a lado de",
        "a lado del",
        "entre",
        "a la altura de",
        "a la altura del",
        "por la calle",
        "rumbo a",
        "salida a",
        "entrada de",
        "entrada a",
    )
}
_LANDMARKS = {
    "primaria",
    "secundaria",
    "kinder",
    "preparatoria",
    "prepa",
    "escuela",
    "iglesia",
    "capilla",
    "plaza",
    "jardin",
    "panteon",
    "mercado",
    "deportivo",
    "cancha",
    "centro",
    "clinica",
    "tienda",
    "oxxo",
    "parque",
    "puente",
    "auditorio",
    "delegacion",
    "tanque",
    "pozo",
    "presa",
    "glorieta",
    "gasolinera",
    "tortilleria",
    "farmacia",
    "parada",
}
_LANDMARK_LEADS = {("en", "la"), ("en", "el"), ("por", "la"), ("por", "el")}
_PLACE_STOPS = {
    "ya",
    "desde",
    "hace",
    "porque",
    "pero",
    "lleva",
    "llevamos",
    "llevan",
    "urge",
    "favor",
    "porfa",
    "hay",
    "no",
    "que",
    "se",
    "esta",
    "estan",
    "tiene",
    "tienen",
    "nadie",
    "y",
    "para",
    "como",
    "cuando",
    "donde",
    "alguien",
    "me",
    "nos",
    "les",
    "todo",
    "toda",
    "otra",
    "ayer",
    "hoy",
    "anoche",
    "manana",
    "sale",
    "salen",
    "tira",
    "quien",
    "pueden",
}
_ABBREVIATIONS = {"av", "col", "esq", "fracc", "blvd", "prol"}
_JOINING_MARKERS = {"esquina", "esq", "entre"}
_ARTICLES = {"la", "el", "los", "las", "de", "del", "a", "al", "con"}
_PUNCT_STOP = frozenset(".,;:!?\n()¿¡")
_MAX_PLACE_TOKENS = 10


def extract_place(text: str, tokens: list[_Token] | None = None) -> str | None:
    """The place a message names ("calle Hidalgo esquina con Morelos", "frente a la primaria")."""
    tokens = _tokens(text) if tokens is None else tokens
    words = [t.text for t in tokens]
    index = 0
    while index < len(tokens):
        size = _marker_at(words, index)
        landmark = (
            size == 0
            and index + 2 < len(words)
            and (words[index], words[index + 1]) in _LANDMARK_LEADS
            and words[index + 2] in _LANDMARKS
        )
        if size == 0 and not landmark:
            index += 1
            continue
        start = index + (1 if landmark else 0)
        end = _place_end(text, tokens, words, start, index + (2 if landmark else size))
        content = [w for w in words[start:end] if w not in _ARTICLES]
        if (end > start and len(content) >= 2) or landmark:
            place = text[tokens[start].start : tokens[end - 1].end].strip()
            return place[:200]
        index += max(size, 1)
    return None


def _marker_at(words: list[str], index: int) -> int:
    for size in (4, 3, 2, 1):
        if tuple(words[index : index + size]) in _PLACE_MARKERS:
            return size
    return 0


def _place_end(
    text: str, tokens: list[_Token], words: list[str], start: int, after_marker: int
) -> int:
    end = after_marker
    # "esquina de Hidalgo y Juárez", "entre Morelos y Allende": here "y" joins two streets.
    joins = words[start] in _JOINING_MARKERS
    while end < len(tokens) and end - start < _MAX_PLACE_TOKENS:
        gap = text[tokens[end - 1].end : tokens[end].start]
        abbreviated = words[end - 1] in _ABBREVIATIONS and gap.strip() == "."  # "av. Juárez"
        if any(c in _PUNCT_STOP for c in gap) and not abbreviated:
            break
        size = _marker_at(words, end)
        if size:  # "calle Hidalgo esquina con Morelos": markers chain
            joins = joins or words[end] in _JOINING_MARKERS
            end += size
            continue
        if words[end] == "y" and joins:
            joins = False
            end += 1
            continue
        if words[end] in _PLACE_STOPS:
            break
        end += 1
    return end


# --- Category names typed by people ---------------------------------------------------------

_CATEGORY_NAMES: dict[str, str] = {}
for _category in CATEGORIES.values():
    for _name in (
        _category.id,
        _category.id.replace("_", " "),
        _category.label,
        *_category.aliases,
    ):
        _CATEGORY_NAMES.setdefault(" ".join(_words(_name)), _category.id)


def parse_category(text: str) -> str | None:
    """A category from what an official typed ("fuga", "Sin agua", "luminaria"), or None."""
    key = " ".join(_words(text))
    return _CATEGORY_NAMES.get(key) or _CATEGORY_NAMES.get(key.rstrip("s"))

"""Wording of the synthetic demo activities: title and description templates in English,
French and Spanish, and the labels they are filled with.

Kept apart from :mod:`icat_analysis.sources.demo` so the generator reads as logic and this file as
text. Every list is indexed the same way as the code lists of the reference data
(``activity_type``, ``target_group``, ``exploitation_form``) so a row's codes pick its words.
"""

from __future__ import annotations

LANGS = ("en", "fr", "es")

#: one title template per (language, activity type, variant); {g} target group, {f} form of
#: exploitation with its preposition, {loc} where, {focus} an optional sector or setting
TITLES = {
    "en": {
        "technical_assistance": [
            "Technical assistance to {g} {f} {loc}{focus}",
            "Supporting {g} {f} {loc}{focus}",
            "Advisory support for {g} {f} {loc}{focus}",
        ],
        "legislative_assistance": [
            "Legal reform support for {g} {f} {loc}{focus}",
            "Strengthening legislation {f}: support to {g} {loc}{focus}",
            "Legislative review with {g} {f} {loc}{focus}",
        ],
        "capacity_building": [
            "Strengthening the capacity of {g} {f} {loc}{focus}",
            "Training {g} {f} {loc}{focus}",
            "Capacity development for {g} {f} {loc}{focus}",
        ],
        "awareness_raising": [
            "Awareness campaign for {g} {f} {loc}{focus}",
            "Raising awareness among {g} {f} {loc}{focus}",
            "Community outreach with {g} {f} {loc}{focus}",
        ],
        "victim_assistance": [
            "Assistance and protection for {g} {f} {loc}{focus}",
            "Direct support services for {g} {f} {loc}{focus}",
            "Shelter and reintegration support for {g} {f} {loc}{focus}",
        ],
        "research_data": [
            "Improving data {f}: working with {g} {loc}{focus}",
            "Research with {g} to inform action {f} {loc}{focus}",
            "Assessment of responses by {g} {f} {loc}{focus}",
        ],
        "coordination": [
            "Coordination between {g} {f} {loc}{focus}",
            "Referral mechanism with {g} {f} {loc}{focus}",
            "Joint task force of {g} {f} {loc}{focus}",
        ],
        "policy_advocacy": [
            "Policy advocacy with {g} {f} {loc}{focus}",
            "Advocating with {g} for stronger action {f} {loc}{focus}",
            "Policy dialogue with {g} {f} {loc}{focus}",
        ],
    },
    "fr": {
        "technical_assistance": [
            "Assistance technique aux {g} {f} {loc}{focus}",
            "Appui aux {g} {f} {loc}{focus}",
            "Conseil technique aux {g} {f} {loc}{focus}",
        ],
        "legislative_assistance": [
            "Appui à la réforme législative avec les {g} {f} {loc}{focus}",
            "Renforcement du cadre juridique {f} avec les {g} {loc}{focus}",
            "Révision législative avec les {g} {f} {loc}{focus}",
        ],
        "capacity_building": [
            "Renforcement des capacités des {g} {f} {loc}{focus}",
            "Formation des {g} {f} {loc}{focus}",
            "Développement des compétences des {g} {f} {loc}{focus}",
        ],
        "awareness_raising": [
            "Campagne de sensibilisation des {g} {f} {loc}{focus}",
            "Sensibilisation des {g} {f} {loc}{focus}",
            "Mobilisation des {g} {f} {loc}{focus}",
        ],
        "victim_assistance": [
            "Assistance et protection des {g} {f} {loc}{focus}",
            "Services d'appui direct aux {g} {f} {loc}{focus}",
            "Hébergement et réinsertion des {g} {f} {loc}{focus}",
        ],
        "research_data": [
            "Amélioration des données {f} avec les {g} {loc}{focus}",
            "Recherche avec les {g} sur la lutte {f} {loc}{focus}",
            "Évaluation des réponses des {g} {f} {loc}{focus}",
        ],
        "coordination": [
            "Coordination entre les {g} {f} {loc}{focus}",
            "Mécanisme d'orientation avec les {g} {f} {loc}{focus}",
            "Groupe de travail conjoint des {g} {f} {loc}{focus}",
        ],
        "policy_advocacy": [
            "Plaidoyer avec les {g} {f} {loc}{focus}",
            "Plaidoyer auprès des {g} pour une action renforcée {f} {loc}{focus}",
            "Dialogue politique avec les {g} {f} {loc}{focus}",
        ],
    },
    "es": {
        "technical_assistance": [
            "Asistencia técnica a {g} {f} {loc}{focus}",
            "Apoyo a {g} {f} {loc}{focus}",
            "Asesoría técnica para {g} {f} {loc}{focus}",
        ],
        "legislative_assistance": [
            "Apoyo a la reforma legislativa con {g} {f} {loc}{focus}",
            "Fortalecimiento del marco jurídico {f} con {g} {loc}{focus}",
            "Revisión legislativa con {g} {f} {loc}{focus}",
        ],
        "capacity_building": [
            "Fortalecimiento de las capacidades de {g} {f} {loc}{focus}",
            "Formación de {g} {f} {loc}{focus}",
            "Desarrollo de competencias de {g} {f} {loc}{focus}",
        ],
        "awareness_raising": [
            "Campaña de sensibilización para {g} {f} {loc}{focus}",
            "Sensibilización de {g} {f} {loc}{focus}",
            "Movilización de {g} {f} {loc}{focus}",
        ],
        "victim_assistance": [
            "Asistencia y protección para {g} {f} {loc}{focus}",
            "Servicios de apoyo directo a {g} {f} {loc}{focus}",
            "Albergue y reintegración para {g} {f} {loc}{focus}",
        ],
        "research_data": [
            "Mejora de los datos {f} con {g} {loc}{focus}",
            "Investigación con {g} sobre la lucha {f} {loc}{focus}",
            "Evaluación de las respuestas de {g} {f} {loc}{focus}",
        ],
        "coordination": [
            "Coordinación entre {g} {f} {loc}{focus}",
            "Mecanismo de derivación con {g} {f} {loc}{focus}",
            "Grupo de trabajo conjunto de {g} {f} {loc}{focus}",
        ],
        "policy_advocacy": [
            "Incidencia política con {g} {f} {loc}{focus}",
            "Incidencia ante {g} para reforzar la acción {f} {loc}{focus}",
            "Diálogo político con {g} {f} {loc}{focus}",
        ],
    },
}

#: target group as it reads in a title (plural noun phrase, no article)
GROUPS = {
    "en": {
        "women": "women",
        "children": "children",
        "migrants": "migrants",
        "refugees_asylum_seekers": "refugees and asylum-seekers",
        "victims_survivors": "victims and survivors",
        "law_enforcement": "law enforcement officers",
        "judiciary": "judges and prosecutors",
        "labour_inspectors": "labour inspectors",
        "government_officials": "government officials",
        "civil_society": "civil society organisations",
        "private_sector": "private sector companies",
        "general_public": "communities",
    },
    "fr": {
        "women": "femmes",
        "children": "enfants",
        "migrants": "migrants",
        "refugees_asylum_seekers": "réfugiés et demandeurs d'asile",
        "victims_survivors": "victimes et survivants",
        "law_enforcement": "forces de l'ordre",
        "judiciary": "magistrats et procureurs",
        "labour_inspectors": "inspecteurs du travail",
        "government_officials": "agents de l'État",
        "civil_society": "organisations de la société civile",
        "private_sector": "entreprises du secteur privé",
        "general_public": "communautés",
    },
    "es": {
        "women": "mujeres",
        "children": "niñas, niños y adolescentes",
        "migrants": "personas migrantes",
        "refugees_asylum_seekers": "personas refugiadas y solicitantes de asilo",
        "victims_survivors": "víctimas y sobrevivientes",
        "law_enforcement": "fuerzas del orden",
        "judiciary": "jueces y fiscales",
        "labour_inspectors": "inspectores de trabajo",
        "government_officials": "funcionarios públicos",
        "civil_society": "organizaciones de la sociedad civil",
        "private_sector": "empresas del sector privado",
        "general_public": "comunidades",
    },
}

#: form of exploitation with its preposition, for titles; "" is the row without a form
FORMS_TITLE = {
    "en": {
        "sexual_exploitation": "against trafficking for sexual exploitation",
        "forced_labour": "against forced labour",
        "forced_marriage": "against forced marriage",
        "organ_removal": "against trafficking for organ removal",
        "forced_criminality": "against forced criminality",
        "begging": "against forced begging",
        "other": "against other forms of exploitation",
        "": "against trafficking in persons",
    },
    "fr": {
        "sexual_exploitation": "contre la traite à des fins d'exploitation sexuelle",
        "forced_labour": "contre le travail forcé",
        "forced_marriage": "contre le mariage forcé",
        "organ_removal": "contre la traite aux fins de prélèvement d'organes",
        "forced_criminality": "contre la criminalité forcée",
        "begging": "contre la mendicité forcée",
        "other": "contre d'autres formes d'exploitation",
        "": "contre la traite des personnes",
    },
    "es": {
        "sexual_exploitation": "contra la trata con fines de explotación sexual",
        "forced_labour": "contra el trabajo forzoso",
        "forced_marriage": "contra el matrimonio forzado",
        "organ_removal": "contra la trata con fines de extracción de órganos",
        "forced_criminality": "contra la criminalidad forzada",
        "begging": "contra la mendicidad forzada",
        "other": "contra otras formas de explotación",
        "": "contra la trata de personas",
    },
}

#: form of exploitation as a noun phrase, for descriptions
FORMS_NOUN = {
    "en": {
        "sexual_exploitation": "trafficking for sexual exploitation",
        "forced_labour": "forced labour",
        "forced_marriage": "forced marriage",
        "organ_removal": "trafficking for organ removal",
        "forced_criminality": "forced criminality",
        "begging": "forced begging",
        "other": "other forms of exploitation",
        "": "trafficking in persons",
    },
    "fr": {
        "sexual_exploitation": "la traite à des fins d'exploitation sexuelle",
        "forced_labour": "le travail forcé",
        "forced_marriage": "le mariage forcé",
        "organ_removal": "le prélèvement d'organes",
        "forced_criminality": "la criminalité forcée",
        "begging": "la mendicité forcée",
        "other": "d'autres formes d'exploitation",
        "": "la traite des personnes",
    },
    "es": {
        "sexual_exploitation": "la trata con fines de explotación sexual",
        "forced_labour": "el trabajo forzoso",
        "forced_marriage": "el matrimonio forzado",
        "organ_removal": "la extracción de órganos",
        "forced_criminality": "la criminalidad forzada",
        "begging": "la mendicidad forzada",
        "other": "otras formas de explotación",
        "": "la trata de personas",
    },
}

#: activity type as a noun phrase, for descriptions
TYPES_NOUN = {
    "en": {
        "technical_assistance": "technical assistance",
        "legislative_assistance": "legislative assistance",
        "capacity_building": "capacity building",
        "awareness_raising": "awareness raising",
        "victim_assistance": "victim assistance",
        "research_data": "research and data collection",
        "coordination": "coordination",
        "policy_advocacy": "policy advocacy",
    },
    "fr": {
        "technical_assistance": "assistance technique",
        "legislative_assistance": "assistance législative",
        "capacity_building": "renforcement des capacités",
        "awareness_raising": "sensibilisation",
        "victim_assistance": "assistance aux victimes",
        "research_data": "recherche et collecte de données",
        "coordination": "coordination",
        "policy_advocacy": "plaidoyer",
    },
    "es": {
        "technical_assistance": "asistencia técnica",
        "legislative_assistance": "asistencia legislativa",
        "capacity_building": "fortalecimiento de capacidades",
        "awareness_raising": "sensibilización",
        "victim_assistance": "asistencia a víctimas",
        "research_data": "investigación y recopilación de datos",
        "coordination": "coordinación",
        "policy_advocacy": "incidencia política",
    },
}

#: the optional end of a title: a sector or setting ("" = none)
FOCUS = {
    "en": (
        "border areas",
        "urban centres",
        "rural communities",
        "online recruitment",
        "supply chains",
        "the fishing sector",
        "domestic work",
        "construction sites",
        "agriculture",
        "the entertainment sector",
        "camps and settlements",
        "schools",
        "airports",
        "mining areas",
    ),
    "fr": (
        "les zones frontalières",
        "les centres urbains",
        "les communautés rurales",
        "le recrutement en ligne",
        "les chaînes d'approvisionnement",
        "le secteur de la pêche",
        "le travail domestique",
        "les chantiers de construction",
        "l'agriculture",
        "le secteur du divertissement",
        "les camps et sites d'installation",
        "les écoles",
        "les aéroports",
        "les zones minières",
    ),
    "es": (
        "las zonas fronterizas",
        "los centros urbanos",
        "las comunidades rurales",
        "la captación en línea",
        "las cadenas de suministro",
        "el sector pesquero",
        "el trabajo doméstico",
        "las obras de construcción",
        "la agricultura",
        "el sector del entretenimiento",
        "los campamentos y asentamientos",
        "las escuelas",
        "los aeropuertos",
        "las zonas mineras",
    ),
}
FOCUS_LEAD = {"en": ", with a focus on ", "fr": ", en particulier ", "es": ", con énfasis en "}

#: where: national and regional take a country name, global none
LOC = {
    "en": {"national": "in {c}", "regional": "in {c} and neighbouring countries", "global": "worldwide"},
    "fr": {"national": "{c}", "regional": "{c} et dans les pays voisins", "global": "à l'échelle mondiale"},
    "es": {"national": "en {c}", "regional": "en {c} y países vecinos", "global": "a nivel mundial"},
}

#: first sentence of a description; {a} the lead agency as it reads in the language
DESC_WHAT = {
    "en": [
        "{a} works with {g} {loc} on {t}, focusing on {fn}.",
        "This {t} activity, led by {a}, supports {g} {loc} and addresses {fn}.",
        "Led by {a}, the project provides {t} for {g} {loc}, with attention to {fn}.",
    ],
    "fr": [
        "Mis en œuvre par {a}, le projet appuie les {g} {loc} (volet : {t}) et porte notamment sur {fn}.",
        "Cette activité ({t}) menée par {a} accompagne les {g} {loc} et cible {fn}.",
        "Sous la conduite de {a}, le projet accompagne les {g} {loc} et vise {fn} ; domaine d'intervention : {t}.",
    ],
    "es": [
        "Ejecutado por {a}, el proyecto apoya a {g} {loc} en materia de {t} y aborda {fn}.",
        "Esta actividad de {t}, dirigida por {a}, acompaña a {g} {loc} y se centra en {fn}.",
        "Bajo la dirección de {a}, el proyecto brinda {t} a {g} {loc}, con atención a {fn}.",
    ],
}

#: second sentence: scale, with numbers
DESC_SCALE = {
    "en": [
        "It aims to reach {n} people in {k} districts over {m} months.",
        "About {n} participants are expected in {k} locations over {m} months.",
        "{k} pilot sites have been selected; {n} people should benefit within {m} months.",
    ],
    "fr": [
        "Il vise à atteindre {n} personnes dans {k} districts sur {m} mois.",
        "Environ {n} participants sont attendus dans {k} localités sur {m} mois.",
        "{k} sites pilotes ont été retenus ; {n} personnes devraient en bénéficier en {m} mois.",
    ],
    "es": [
        "Busca llegar a {n} personas en {k} distritos durante {m} meses.",
        "Se esperan unos {n} participantes en {k} localidades durante {m} meses.",
        "Se seleccionaron {k} sitios piloto; {n} personas se beneficiarán en {m} meses.",
    ],
}

#: further sentences, two drawn per description; {min} a ministry
DESC_MORE = {
    "en": [
        "Work is carried out with the ministry of {min} and local civil society organisations.",
        "A baseline study and a final evaluation are planned.",
        "Results will feed into the national action plan against trafficking in persons.",
        "Lessons learned will be shared through the national referral mechanism.",
        "Standard operating procedures will be drafted with the ministry of {min}.",
        "Training materials will be translated into local languages.",
        "A steering committee chaired by the ministry of {min} meets twice a year.",
        "The activity builds on a needs assessment completed the previous year.",
        "Survivors were consulted in the design of the activity.",
        "Monitoring data will be published in an annual progress report.",
    ],
    "fr": [
        "Les travaux sont menés avec le ministère {min} et des organisations locales de la société civile.",
        "Une étude de référence et une évaluation finale sont prévues.",
        "Les résultats alimenteront le plan d'action national contre la traite des personnes.",
        "Les enseignements seront partagés au sein du mécanisme national d'orientation.",
        "Des procédures opérationnelles standard seront rédigées avec le ministère {min}.",
        "Les supports de formation seront traduits dans les langues locales.",
        "Un comité de pilotage présidé par le ministère {min} se réunit deux fois par an.",
        "L'activité s'appuie sur une évaluation des besoins réalisée l'année précédente.",
        "Des survivants ont été consultés lors de la conception de l'activité.",
        "Les données de suivi seront publiées dans un rapport annuel.",
    ],
    "es": [
        "El trabajo se realiza con el Ministerio de {min} y organizaciones locales de la sociedad civil.",
        "Se prevén un estudio de línea de base y una evaluación final.",
        "Los resultados alimentarán el plan de acción nacional contra la trata de personas.",
        "Las lecciones aprendidas se compartirán a través del mecanismo nacional de derivación.",
        "Se redactarán procedimientos operativos estándar con el Ministerio de {min}.",
        "Los materiales de capacitación se traducirán a los idiomas locales.",
        "Un comité directivo presidido por el Ministerio de {min} se reúne dos veces al año.",
        "La actividad se basa en una evaluación de necesidades realizada el año anterior.",
        "Se consultó a personas sobrevivientes en el diseño de la actividad.",
        "Los datos de seguimiento se publicarán en un informe anual.",
    ],
}
MINISTRIES = {
    "en": (
        "justice",
        "the interior",
        "labour",
        "social affairs",
        "foreign affairs",
        "health",
        "education",
        "women's affairs",
    ),
    "fr": (
        "de la Justice",
        "de l'Intérieur",
        "du Travail",
        "des Affaires sociales",
        "des Affaires étrangères",
        "de la Santé",
        "de l'Éducation",
        "de la Condition féminine",
    ),
    "es": (
        "Justicia",
        "Interior",
        "Trabajo",
        "Asuntos Sociales",
        "Relaciones Exteriores",
        "Salud",
        "Educación",
        "la Mujer",
    ),
}

#: the lead agency as a description names it (French and Spanish use their own acronyms)
AGENCY_NAMES = {
    "fr": {
        "ILO": "l'OIT",
        "IOM": "l'OIM",
        "UNICEF": "l'UNICEF",
        "UNIFEM": "l'UNIFEM",
        "UNDAW": "la DAW",
        "UNHCR": "le HCR",
        "UNODC": "l'ONUDC",
        "OHCHR": "le HCDH",
        "DPKO": "le DOMP",
        "UNICRI": "l'UNICRI",
        "UNFPA": "l'UNFPA",
        "UNAIDS": "l'ONUSIDA",
        "UNDP": "le PNUD",
        "UNESCO": "l'UNESCO",
        "ICAO": "l'OACI",
        "INTERPOL": "INTERPOL",
        "WHO": "l'OMS",
        "WORLDBANK": "la Banque mondiale",
        "UNWOMEN": "ONU Femmes",
    },
    "es": {
        "ILO": "la OIT",
        "IOM": "la OIM",
        "UNICEF": "UNICEF",
        "UNIFEM": "UNIFEM",
        "UNDAW": "la DAW",
        "UNHCR": "ACNUR",
        "UNODC": "UNODC",
        "OHCHR": "ACNUDH",
        "DPKO": "el DOMP",
        "UNICRI": "UNICRI",
        "UNFPA": "UNFPA",
        "UNAIDS": "ONUSIDA",
        "UNDP": "el PNUD",
        "UNESCO": "la UNESCO",
        "ICAO": "la OACI",
        "INTERPOL": "INTERPOL",
        "WHO": "la OMS",
        "WORLDBANK": "el Banco Mundial",
        "UNWOMEN": "ONU Mujeres",
    },
}

#: countries where a share of activities is written in French or Spanish
FRENCH_SPEAKING = frozenset(
    "BEN BFA BDI CMR CAF TCD COM COG COD CIV DJI GAB GIN HTI MDG MLI MRT NER RWA SEN TGO MAR TUN DZA LBN "
    "FRA BEL CHE LUX MCO".split()
)
SPANISH_SPEAKING = frozenset("ARG BOL CHL COL CRI CUB DOM ECU SLV GTM HND MEX NIC PAN PRY PER URY VEN ESP GNQ".split())

# French country names that are masculine although they end in -e, and plural ones
_FR_MASCULINE_E = {"Mexique", "Cambodge", "Mozambique", "Zimbabwe", "Belize", "Suriname", "Zaïre"}


def french_location(name: str) -> str:
    """``au Bénin``, ``en Thaïlande``, ``aux Philippines``: the preposition French needs."""
    head = name.split(",")[0].split(" (")[0].strip()
    first = head.split()[0] if head else head
    if head.endswith("s") and not head.endswith(("is", "ès")) or first in ("États-Unis", "Pays-Bas", "Émirats"):
        return f"aux {name}"
    if head[:1] in "AEIOUÉÈÊÎÔaeiouéèêîô" or head.startswith(("République", "Haïti")):
        return f"en {name}"
    if head.endswith("e") and head not in _FR_MASCULINE_E:
        return f"en {name}"
    return f"au {name}"


def english_name(name: str) -> str:
    """Reference names in reading order: ``Congo, The Democratic Republic of the`` -> ``the Democratic Republic of the Congo``."""
    if ", " in name:
        head, tail = name.split(", ", 1)
        if tail.endswith((" of", " of the")):
            name = f"{tail} {head}"
            if name.startswith("The "):
                name = "the " + name[4:]
    if name.startswith(
        ("United ", "Russian ", "Republic ", "Democratic ", "Central African ", "Dominican ", "State of", "Federated ")
    ):
        return f"the {name}"
    if name in (
        "Netherlands",
        "Philippines",
        "Gambia",
        "Bahamas",
        "Comoros",
        "Maldives",
        "Seychelles",
        "Marshall Islands",
        "Solomon Islands",
        "Holy See (Vatican City State)",
    ):
        return f"the {name}"
    return name

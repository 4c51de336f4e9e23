"""The layout of a case workbook: its sheets, their columns, and the Danish help shown to analysts.

Every sheet with named columns has two header rows: Danish captions for the analyst (row 1,
:data:`CAPTIONS`) above the keys of the TOML case format (row 2, case-format.md), which the reader
reads, so that the workbook and the TOML file use the same words; the data start in row 3. Workbooks
of earlier versions, with the keys in row 1 and no captions, are read as before. The explanations are
in Danish, in header comments and on the sheet "Hjælp". docs/excel.md describes the layout in English.

Three kinds of sheet:

- *key sheets* (Sag, Deltagere, Effekt, Varighed): one row per key of a TOML table, with the key in
  column ``key``; a list (cohorts, a profile, participants' ``years = [first, last]``) is one row per
  element, the key repeated;
- *row sheets* (Aktører, Omkostninger, Sammenligning, Konsekvenser, Priser, Prisfaktorer,
  Under indsatsen, Korrelationer, Grupper, Scenarier): one row per item (Scenarier: one row per changed
  input);
- the sheet Empirisk: the values of every empirical distribution, one column per input, headed by
  the input's path.

Every value that may be uncertain is laid out in the :data:`INPUT_COLUMNS`: a plain number in
``value`` alone, or ``dist`` and the columns of that distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from somrisk.case.load import SECTIONS
from somrisk.case.schema import CATEGORIES
from somrisk.distributions import FAMILIES, PARAMETER_COLUMNS

__all__ = [
    "CAPTIONS",
    "CAPTION_ROW",
    "COLUMN_HELP",
    "DERIVED",
    "DIST_HELP",
    "FIRST_ROW",
    "INPUT_COLUMNS",
    "INTRO",
    "KEY_ROW",
    "KEY_SHEETS",
    "LIST_SECTIONS",
    "OPTIONAL_SHEETS",
    "REQUIRED_SECTIONS",
    "ROW_SHEETS",
    "SCENARIER",
    "SECTION_OF",
    "SHEETS",
    "SHEET_HELP",
    "TABLE_SECTIONS",
    "Key",
    "RowSheet",
    "caption",
    "header",
    "key_row",
]

CellKind = Literal["text", "number"]

#: The columns of a value that may be uncertain, in this order on every sheet that has one: a fixed
#: number, the family, the families' parameters (distributions.PARAMETER_COLUMNS), base and source.
INPUT_COLUMNS = ("value", "dist", *PARAMETER_COLUMNS, "base", "source")


@dataclass(frozen=True)
class Key:
    """One key of a key sheet: its TOML table, what its ``value`` holds, and whether it is a list."""

    name: str
    section: str
    kind: Literal["text", "number", "input"]
    help: str
    repeat: bool = False  # a list: one row per element
    template_rows: int = 1  # rows the empty template offers
    words: tuple[str, ...] = ()  # texts a number cell may hold instead of a number, e.g. "auto"


SAG, AKTOERER, DELTAGERE, EFFEKT, VARIGHED = "Sag", "Aktører", "Deltagere", "Effekt", "Varighed"
OMK, SAMMENLIGNING, KONSEKVENSER, PRISER = "Omkostninger", "Sammenligning", "Konsekvenser", "Priser"
#: The sheet of the consequences during the course (SØM's "konsekvenser under indsatsen").
UNDER_INDSATSEN = "Under indsatsen"
PRISINDEKS = "Prisindeks"
PRISFAKTORER, KORRELATIONER, GRUPPER, EMPIRICAL, HELP = (
    "Prisfaktorer",
    "Korrelationer",
    "Grupper",
    "Empirisk",
    "Hjælp",
)
SCENARIER = "Scenarier"
#: Sheets a workbook may lack (made before they existed): read as empty.
OPTIONAL_SHEETS = frozenset({SCENARIER})

KEY_SHEETS: dict[str, tuple[Key, ...]] = {
    SAG: (
        Key("name", "case", "text", "Sagens navn (fri tekst). Skal udfyldes."),
        Key("description", "case", "text", "Beskrivelse af indsatsen (fri tekst)."),
        Key("currency", "case", "text", "Valuta. Tom: DKK."),
        Key("price_year", "case", "number", "Prisniveau (år) for alle beløb. Tom: startåret."),
        Key("start_year", "case", "number", "Kalenderår for år 0. Skal udfyldes."),
        Key(
            "horizon",
            "case",
            "number",
            "Tidshorisont i år, 1-50, eller auto: sidste optagsår + onset + window. Tom: 10.",
            words=("auto",),
        ),
        Key("discount_rate", "economy", "input", "Diskonteringsrente r, fx 0,035. Tom: 0,035."),
        Key("price_growth", "economy", "input", "Real prisvækst g pr. år. Tom: 0."),
    ),
    DELTAGERE: (
        Key(
            "cohorts",
            "participants",
            "input",
            "Antal deltagere optaget i år 0, 1, 2, ...: én række pr. optagsår, i rækkefølge.",
            repeat=True,
            template_rows=3,
        ),
        Key("per_year", "participants", "input", "Eller: antal deltagere pr. år (sammen med years)."),
        Key(
            "years",
            "participants",
            "number",
            "Med per_year: antal optagsår (én række), eller første og sidste optagsår (to rækker).",
            repeat=True,
        ),
    ),
    EFFEKT: (
        Key("measure", "effect", "text", "Effektmålet (fri tekst)."),
        Key("success_rate", "effect", "input", "Succesrate p1 med indsatsen, mellem 0 og 1."),
        Key("comparison_rate", "effect", "input", "Succesrate p0 uden indsatsen (sammenligning)."),
        Key("effect", "effect", "input", "Eller: effekten e = p1 - p0 direkte, mellem -1 og 1."),
        Key(
            "cohort_factor",
            "effect",
            "input",
            "Indfasning (valgfri): andel af den fulde effekt som årgang 0, 1, 2, ... når, mellem 0 og 1; "
            "én række pr. årgang, den sidste gælder også senere årgange. Tom: 1 (fuld effekt).",
            repeat=True,
        ),
    ),
    VARIGHED: (
        Key("onset", "persistence", "number", "År fra optag til effekten indtræder (helt tal). Tom: 0."),
        Key("window", "persistence", "number", "Effekten tælles i højst så mange år pr. årgang."),
        Key("full_years", "persistence", "input", "År med fuld effekt, F."),
        Key("decay", "persistence", "input", "Andel af effekten der tabes pr. år derefter, mellem 0 og 1."),
        Key(
            "profile",
            "persistence",
            "number",
            "Eller: effektens profil år for år (0-1), én række pr. år; erstatter full_years og decay.",
            repeat=True,
        ),
    ),
}


@dataclass(frozen=True)
class RowSheet:
    """A sheet with one item per row: its own columns (name -> kind), then an input block and a list."""

    title: str
    columns: tuple[tuple[str, CellKind], ...]
    input: str | None = None  # the TOML key of the row's uncertain value (its INPUT_COLUMNS)
    spill: tuple[str, CellKind] | None = None  # a list: this column and every column to its right
    required: tuple[str, ...] = ()  # columns that must be there


_COST = (
    ("name", "text"),
    ("label", "text"),
    ("actor", "text"),
    ("kind", "text"),
    ("year", "number"),
    ("years_first", "number"),
    ("years_last", "number"),
    ("duration", "number"),
    ("price_year", "number"),
)

ROW_SHEETS: dict[str, RowSheet] = {
    AKTOERER: RowSheet(AKTOERER, (("actor", "text"),), required=("actor",)),
    OMK: RowSheet(OMK, _COST, input="amount", required=("name", "actor", "kind", "value", "dist")),
    SAMMENLIGNING: RowSheet(
        SAMMENLIGNING, _COST, input="amount", required=("name", "actor", "kind", "value", "dist")
    ),
    KONSEKVENSER: RowSheet(
        KONSEKVENSER,
        (
            ("name", "text"),
            ("label", "text"),
            ("category", "text"),
            ("unit", "text"),
            ("price", "text"),
            ("price_year", "number"),
        ),
        input="change",
        spill=("profile", "number"),
        required=("name", "value", "dist"),
    ),
    PRISER: RowSheet(
        PRISER,
        (("consequence", "text"), ("actor", "text")),
        input="price",
        required=("consequence", "actor", "value", "dist"),
    ),
    PRISFAKTORER: RowSheet(
        PRISFAKTORER,
        (("consequence", "text"),),
        input="price_factor",
        required=("consequence", "value", "dist"),
    ),
    UNDER_INDSATSEN: RowSheet(
        UNDER_INDSATSEN,
        (("consequence", "text"), ("during_years", "number")),
        input="during",
        required=("consequence", "value", "dist"),
    ),
    PRISINDEKS: RowSheet(
        PRISINDEKS,
        (("index_year", "number"), ("index_value", "number")),
        required=("index_year", "index_value"),
    ),
    KORRELATIONER: RowSheet(
        KORRELATIONER,
        (("input_1", "text"), ("input_2", "text"), ("rank", "number")),
        required=("input_1", "input_2", "rank"),
    ),
    GRUPPER: RowSheet(
        GRUPPER, (("name", "text"), ("label", "text")), spill=("inputs", "text"), required=("name", "inputs")
    ),
    SCENARIER: RowSheet(
        SCENARIER,
        (("scenario", "text"), ("change", "text"), ("input", "text")),
        input="value",
        required=("scenario", "change", "input", "value", "dist"),
    ),
}

#: The case's sections as the validation knows them (case.load.SECTIONS): tables, lists of
#: tables, and those a case must have.
TABLE_SECTIONS = tuple(name for name, (model, _) in SECTIONS.items() if not isinstance(model, list))
LIST_SECTIONS = tuple(name for name, (model, _) in SECTIONS.items() if isinstance(model, list))
REQUIRED_SECTIONS = frozenset(name for name, (_, required) in SECTIONS.items() if required)

#: Columns that hold the items of a list key (``years``, a correlation's ``inputs``), never keys.
DERIVED = frozenset({"years_first", "years_last", "input_1", "input_2"})


def header(title: str) -> list[str] | None:
    """The columns of a sheet, in order, as written and as known on import; None for Empirisk, whose
    columns are input paths."""
    if title in KEY_SHEETS:
        return ["key", *INPUT_COLUMNS]
    if title in ROW_SHEETS:
        spec = ROW_SHEETS[title]
        inputs = list(INPUT_COLUMNS) if spec.input else []
        return [c for c, _ in spec.columns] + inputs + ([spec.spill[0]] if spec.spill else [])
    return None


#: Every sheet, in the workbook's order (Hjælp last). All but Hjælp must be there on import.
SHEETS = (
    SAG,
    AKTOERER,
    DELTAGERE,
    EFFEKT,
    VARIGHED,
    OMK,
    SAMMENLIGNING,
    KONSEKVENSER,
    PRISER,
    PRISFAKTORER,
    UNDER_INDSATSEN,
    PRISINDEKS,
    KORRELATIONER,
    GRUPPER,
    SCENARIER,
    EMPIRICAL,
    HELP,
)

#: Sheets a workbook may lack on import (they came after workbooks were first written): a workbook
#: without one imports as if it were there and empty.
OPTIONAL_SHEETS = frozenset({UNDER_INDSATSEN, PRISINDEKS})

#: The TOML list (or table) each sheet's rows make.
SECTION_OF = {
    AKTOERER: "case",
    OMK: "costs",
    SAMMENLIGNING: "comparison_costs",
    KONSEKVENSER: "consequences",
    PRISER: "consequences",
    PRISFAKTORER: "consequences",
    UNDER_INDSATSEN: "consequences",
    PRISINDEKS: "economy",
    KORRELATIONER: "correlations",
    GRUPPER: "groups",
    SCENARIER: "scenarios",
}


#: Each family's help on the sheet Hjælp, after that of an empty ``dist``.
DIST_HELP: dict[str, str] = {
    "": "value: et fast tal (ingen usikkerhed)",
    **{name: family.excel for name, family in FAMILIES.items()},
}

COLUMN_HELP: dict[str, str] = {
    "key": "Nøglen (feltets navn i sagsformatet). Lad den stå; udfyld værdien i samme række.",
    "value": "Et fast tal (tekst for navn, beskrivelse, valuta og effektmål). Med dist = fixed: dens værdi.",
    "dist": "Fordelingen, hvis værdien er usikker (vælg fra listen). Tom: det faste tal i value.",
    **PARAMETER_COLUMNS,
    "base": "Værdien i den deterministiske beregning. Tom: estimate, ellers middelværdien.",
    "source": "Kilde: undersøgelse, vidensbase, lokale data, ekspertvurdering (vises i rapporten).",
    "name": "Kort, unikt navn: små bogstaver a-z, cifre og _ (ingen mellemrum, æ, ø eller å).",
    "label": "Navn til rapporten (fri tekst).",
    "actor": "Aktøren (fra arket Aktører).",
    "kind": "fixed: betales i year (eller ligeligt fra years_first til years_last); "
    "per_participant: pr. deltager pr. år i duration år efter optag.",
    "year": "fixed: året (0 = startåret) beløbet betales i. Tom: 0.",
    "years_first": "fixed: første år, når beløbet fordeles ligeligt over flere år (med years_last).",
    "years_last": "fixed: sidste år, når beløbet fordeles over flere år.",
    "duration": "per_participant: antal år pr. deltager. Tom: 1.",
    "price_year": "Prisår for beløbet (priserne), hvis det ikke er sagens prisniveau; omregnes med "
    "nettoprisindekset (arket Prisindeks). Tom: sagens prisniveau.",
    "index_year": "Året (helt tal) for en værdi af nettoprisindekset.",
    "index_value": "Nettoprisindeksets årsgennemsnit for året (over 0). Samme basis som den indbyggede "
    "(2015 = 100), eller alle år sagen bruger på egen basis.",
    "category": "Kategori: " + ", ".join(CATEGORIES) + ". Tom: other.",
    "unit": "Enheden ændringen måles i, fx år på ydelse.",
    "price": 'Tom: priserne står på arket "Priser". catalog: prisen hentes fra priskataloget.',
    "profile": "Tidsprofil: vægt i år 0, 1, 2, ... efter effekten er indtrådt, ét tal pr. celle mod "
    "højre; den sidste gentages. Tom: 1 i alle år.",
    "consequence": 'Konsekvensens name (fra arket "Konsekvenser").',
    "during_years": "Antal år efter optag hvor ændringen under indsatsen gælder (helt tal, mindst 1). "
    "Tom: 1.",
    "input_1": "Første inputs sti, fx effect.success_rate eller costs.opstart.amount.",
    "input_2": "Andet inputs sti.",
    "rank": "Spearman rangkorrelation mellem -1 og 1.",
    "inputs": "Gruppens input (stier), ét pr. celle mod højre.",
    "scenario": "Scenariets navn (fri tekst); samme navn i flere rækker: samme scenarie.",
    "change": "set: inputtet erstattes af value (eller fordelingen); scale: hver trækning ganges med value.",
    "input": "Inputtets sti, fx effect.success_rate eller costs.opstart.amount.",
}

SHEET_HELP: dict[str, str] = {
    SAG: "Sagen og økonomien: én række pr. nøgle. name og start_year skal udfyldes. "
    "discount_rate og price_growth kan være usikre (fordelingskolonnerne).",
    AKTOERER: "Aktørerne der betaler og får gevinster: én pr. række (tomt ark: kommune, region, stat). "
    "Listerne i kolonnerne actor på de andre ark bygger på dette ark.",
    DELTAGERE: "Deltagere: enten cohorts (én række pr. optagsår) eller per_year med years.",
    EFFEKT: "Effekten: success_rate (og comparison_rate), eller effect direkte.",
    VARIGHED: "Effektens varighed: full_years og decay, eller profile (én række pr. år). "
    "Tomt ark: fuld effekt i hele horisonten.",
    OMK: "Indsatsens omkostninger: én række pr. omkostning; beløbet (amount) i value eller som fordeling.",
    SAMMENLIGNING: "Omkostninger deltagerne ville have haft alligevel (sammenligningen): som Omkostninger.",
    KONSEKVENSER: "Konsekvenser: én række pr. konsekvens; ændringen (change) pr. person med effekt pr. år "
    "i value eller som fordeling; profile mod højre i rækkens ende.",
    PRISER: "Priser: én række pr. konsekvens og aktør, prisen pr. enhed af ændringen. En aktør uden række "
    "betaler 0.",
    PRISFAKTORER: "Prisfaktorer (valgfri): én række pr. konsekvens; ganges på alle dens priser.",
    UNDER_INDSATSEN: "Konsekvenser under indsatsen (valgfri, som i SØM 2.2): én række pr. konsekvens; "
    "ændringen (during) i brugen pr. deltager pr. år mens indsatsen står på, i value eller som fordeling, "
    "i de during_years år efter optag. Gælder alle deltagere, med eller uden effekt, og prissættes med "
    "konsekvensens priser og prisfaktor.",
    PRISINDEKS: "Nettoprisindeks (valgfri, economy.price_index): én række pr. år. Supplerer eller erstatter "
    "den indbyggede (Danmarks Statistik, PRIS115, 2015 = 100, årene 2015-2023), fx med 2024. Intet år "
    "fremskrives.",
    KORRELATIONER: "Rangkorrelationer mellem to usikre input: én række pr. par.",
    GRUPPER: "Grupper af input til følsomhedsanalyserne (valgfri): én række pr. gruppe.",
    SCENARIER: "Scenarier (valgfri): én række pr. ændret input; change = set (ny værdi eller fordeling) "
    "eller scale (hver trækning ganges med value, fx 0,75 for 25 % lavere effekt).",
    EMPIRICAL: "Værdier til empiriske fordelinger (dist = empirical): én kolonne pr. input med dets sti "
    "som overskrift i række 1 (fx costs.opstart.amount) og værdierne nedad.",
}

INTRO = (
    "Projektmappen er én sag (én indsats for én målgruppe) i somrisk's sagsformat. Indlæs den med "
    "kommandoen: somrisk excel import sag.xlsx sag.toml. Sagen kontrolleres som en TOML-fil, og hver fejl "
    "meldes med ark og celle.",
    "Række 1 på hvert ark er danske overskrifter; række 2 er sagsformatets nøgler (de små grå), som "
    "somrisk læser: lad dem stå (kolonner må flyttes, ikke omdøbes). Hver række fra række 3 er én nøgle "
    "eller ét element (én omkostning, én konsekvens, ...). Tomme rækker springes over. Gule felter er "
    "de kolonner, rækkens fordeling (dist) bruger.",
    "På arkene Korrelationer og Grupper kan inputs stier vælges fra en liste (sagens input).",
    "En tom celle betyder 'ikke angivet': standardværdien gælder. Tal skal stå som tal, ikke som tekst.",
    "Arkene må ikke slettes eller omdøbes (de må være tomme). Egne ark må tilføjes; de læses ikke.",
    "Navne (name) skrives med små bogstaver a-z, cifre og _, fx kontanthjaelp. Et inputs sti (til "
    "Korrelationer, Grupper og Empirisk) er fx effect.success_rate, persistence.full_years, "
    "costs.<name>.amount, consequences.<name>.change, consequences.<name>.during, "
    "consequences.<name>.price.<aktør>, effect.cohort_factor.0 eller participants.cohorts.0 (første årgang).",
    "Formler er tilladt: deres beregnede værdi læses (gem projektmappen i Excel først).",
    "En sag eksporteret fra en TOML-fil (somrisk excel export) har alle filens værdier; kommentarerne i "
    "filen kommer ikke med.",
)


#: The rows of a sheet with named columns: Danish captions, the keys the reader reads, the first data.
CAPTION_ROW, KEY_ROW, FIRST_ROW = 1, 2, 3

#: Each column's Danish caption, above its key. A caption is never a key of any sheet (the reader
#: tells a workbook with captions from one without by that).
CAPTIONS: dict[str, str] = {
    "key": "Nøgle",
    "value": "Fast værdi",
    "dist": "Fordeling",
    "min": "Mindste",
    "mode": "Typeværdi",
    "max": "Største",
    "lambda": "PERT-form (λ)",
    "mean": "Middelværdi",
    "sd": "Standardafvigelse",
    "estimate": "Punktestimat",
    "ci95_lo": "95 %-KI, nedre",
    "ci95_hi": "95 %-KI, øvre",
    "mu": "Log-middelværdi (μ)",
    "sigma": "Log-spredning (σ)",
    "alpha": "Alfa (α)",
    "beta": "Beta (β)",
    "comparison_rate": "Succesrate uden indsats (p0)",
    "successes": "Succeser",
    "trials": "Forsøg",
    "shape": "Form",
    "scale": "Skala",
    "base": "Basisværdi",
    "source": "Kilde",
    "name": "Navn (kort)",
    "label": "Betegnelse",
    "actor": "Aktør",
    "kind": "Type",
    "year": "År",
    "years_first": "Første år",
    "years_last": "Sidste år",
    "duration": "Varighed (år)",
    "price_year": "Prisår",
    "category": "Område",
    "unit": "Enhed",
    "price": "Pris",
    "profile": "Tidsprofil",
    "consequence": "Konsekvens",
    "during_years": "År under indsatsen",
    "index_year": "Indeksår",
    "index_value": "Nettoprisindeks",
    "scenario": "Scenarie",
    "change": "Ændring (set eller scale)",
    "input": "Input (sti)",
    "input_1": "Første input",
    "input_2": "Andet input",
    "rank": "Rangkorrelation",
    "inputs": "Input (stier)",
}


def caption(column: str) -> str:
    """A column's Danish caption; a column without one (a key added later) shows its key, capitalised."""
    return CAPTIONS.get(column) or column.replace("_", " ").capitalize()


def key_row(title: str, first: set[str], second: set[str]) -> int:
    """The row holding the keys of sheet `title`, given the texts of its rows 1 and 2: row 2 where
    row 1 holds no key of the sheet and row 2 holds one (captions above keys), else row 1 (the
    layout of earlier versions, and the sheet Empirisk, whose columns are input paths)."""
    known = header(title)
    if known is None:
        return CAPTION_ROW
    return KEY_ROW if not first & set(known) and second & set(known) else CAPTION_ROW

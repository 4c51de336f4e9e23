"""``somrisk new``: a commented case file to fill in, built from the consequence catalogue.

The file is valid as written (``somrisk check`` passes, ``somrisk run`` runs): every number an
analyst must replace is a placeholder marked ``TODO``, and every consequence of the catalogue is
listed, commented out except those asked for, with its unit and the actors who pay. Consequences
take their prices from the catalogue (``price = "catalog"``), so the case's price year is the
catalogue's.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Sequence

from somrisk.case.catalog import Catalog, CatalogPrice, builtin_catalog
from somrisk.case.schema import CATEGORIES, CATEGORY_LABELS
from somrisk.errors import UsageError

__all__ = ["scaffold_case", "slug_file_name", "todo_lines"]

#: The comments of a new case, in English and Danish.
_TEXT: dict[str, dict] = {
    "en": {
        "title": "a case for somrisk (made by somrisk new from the catalogue).",
        "intro": [
            "Every number marked TODO is a placeholder: replace it with your own, and say where it comes",
            'from with source = "..." on a distribution. Numbers may be plain or distributions, e.g.',
            '  { dist = "pert", min = 1, mode = 2, max = 4 }   (expert range)',
            '  { dist = "beta", successes = 18, trials = 40 }  (a rate from a count)',
            '  { dist = "normal", estimate = 0.2, ci95 = [0.05, 0.35] }   (a published interval)',
            "The format: docs/case-format.md. Check the file with: somrisk check FILE",
        ],
        "description": "the intervention and its target group",
        "price_year": "the catalogue's price level",
        "start_year": "calendar year of t = 0",
        "horizon": "years, 1-50 (SØM: up to 10)",
        "discount_rate": "Finansministeriet's socio-economic rate since 2021",
        "price_index": [
            "Entries at another price year are converted with the net price index (2015 = 100), which",
            "somrisk has for 2015-2023; for a later price level give its annual average, for example",
        ],
        "price_index_when": "somrisk check says when it is needed",
        "cohorts": "participants starting in years 0, 1, 2",
        "measure": "the effect measure (effektmål)",
        "effect": "the share of participants with the effect, net of current practice (SØM's success rate)",
        "cohort_factor": ("optional phase-in: share of the full effect per", "cohort (the last repeats)"),
        "onset": "years from intake until the effect sets in",
        "full_years": "full effect",
        "decay": "yearly fall after",
        "per_participant": "per participant per year for `duration` years",
        "comparison": "what the participants would have had anyway",
        "consequences": [
            "Consequences: the change per person with the effect per year (negative: less use of a",
            'service), priced from the catalogue (price = "catalog"; see somrisk catalog). Uncomment',
            "those that apply and give their change. A change while the participants are in the",
            "course, for every participant with or without the effect (SØM's konsekvenser under",
            "indsatsen), is `during = ...` per participant per year, for `during_years = 1` years.",
        ],
        "change": "{unit} per person with effect per year",
        "units": "units",
        "paid_by": "paid by {actors}",
        "illustrative": "illustrative price",
    },
    "da": {
        "title": "en sag til somrisk (lavet af somrisk new ud fra kataloget).",
        "intro": [
            "Hvert tal markeret TODO er en pladsholder: erstat det med jeres eget, og skriv, hvor det",
            'kommer fra, med source = "..." på en fordeling. Tal kan være faste eller fordelinger, fx',
            '  { dist = "pert", min = 1, mode = 2, max = 4 }   (ekspertskøn)',
            '  { dist = "beta", successes = 18, trials = 40 }  (en andel fra en optælling)',
            '  { dist = "normal", estimate = 0.2, ci95 = [0.05, 0.35] }   (et publiceret interval)',
            "Decimaltal skrives med punktum: 0.2, ikke 0,2. Formatet: docs/case-format.md.",
            "Tjek filen med: somrisk check FIL",
        ],
        "description": "indsatsen og dens målgruppe",
        "price_year": "katalogets prisniveau",
        "start_year": "kalenderåret for t = 0",
        "horizon": "år, 1-50 (SØM: op til 10)",
        "discount_rate": "Finansministeriets samfundsøkonomiske rente siden 2021",
        "price_index": [
            "Tal i et andet prisår omregnes med nettoprisindekset (2015 = 100), som somrisk har for",
            "2015-2023; for et senere prisniveau angives dets årsgennemsnit, fx",
        ],
        "price_index_when": "somrisk check siger, hvornår det behøves",
        "cohorts": "deltagere, der starter i år 0, 1, 2",
        "measure": "effektmålet",
        "effect": "andelen af deltagerne med effekt, ud over nuværende praksis (SØM's succesrate)",
        "cohort_factor": ("valgfri indfasning: andel af den fulde effekt pr.", "hold (det sidste gentages)"),
        "onset": "år fra optag, til effekten indtræder",
        "full_years": "år med fuld effekt",
        "decay": "årligt fald derefter",
        "per_participant": "pr. deltager pr. år i `duration` år",
        "comparison": "hvad deltagerne ville have fået alligevel",
        "consequences": [
            "Konsekvenser: ændringen pr. person med effekt pr. år (negativ: mindre brug af en ydelse),",
            'prissat fra kataloget (price = "catalog"; se somrisk catalog). Fjern # foran dem, der er',
            "relevante, og angiv deres ændring. En ændring, mens deltagerne er i forløbet, for alle",
            "deltagere med eller uden effekt (SØM's konsekvenser under indsatsen), er `during = ...`",
            "pr. deltager pr. år i `during_years = 1` år.",
        ],
        "change": "{unit} pr. person med effekt pr. år",
        "units": "enheder",
        "paid_by": "betales af {actors}",
        "illustrative": "illustrativ pris",
    },
}


def scaffold_case(
    name: str,
    consequences: Sequence[str] = (),
    *,
    start_year: int,
    catalog: Catalog | None = None,
    lang: str = "en",
) -> str:
    """The TOML text of a new case called `name`, its comments in `lang` (``da`` or ``en``).

    Parameters
    ----------
    name
        The case's name (``[case] name``), free text.
    consequences
        Catalogue entries to include as active consequences (``price = "catalog"``, change 0 to
        fill in); the others are listed commented out.
    start_year
        Calendar year of t = 0.
    catalog
        The catalogue to build from; somrisk's knowledge base by default.
    lang
        The language of the comments; keys and values are the same in both.

    Raises
    ------
    UsageError
        For a consequence the catalogue does not have (with the closest names).
    """
    catalog = builtin_catalog() if catalog is None else catalog
    names = [entry.name for entry in catalog.prices]
    for wanted in consequences:
        if wanted not in names:
            close = difflib.get_close_matches(wanted, names, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see somrisk catalog"
            raise UsageError(f'--consequence {wanted}: the catalogue has no entry "{wanted}"; {hint}')
    price_year = catalog.info.price_year if catalog.info.price_year is not None else start_year
    t = _TEXT[lang]
    lines = [
        f"# {name}: {t['title']}",
        "#",
        *(f"# {line}" if line else "#" for line in t["intro"]),
        "",
        "[case]",
        f"name = {json.dumps(name, ensure_ascii=False)}",
        f'description = ""                           # TODO: {t["description"]}',
        f'currency = "{catalog.info.currency or "DKK"}"',
        f"price_year = {price_year}                          # {t['price_year']}",
        f"start_year = {start_year}                          # {t['start_year']}",
        f"horizon = 10                               # {t['horizon']}",
        'actors = ["kommune", "region", "stat"]',
        "",
        "[economy]",
        f"discount_rate = 0.035                      # {t['discount_rate']}",
        "price_growth = 0.0",
        *(f"# {line}" for line in t["price_index"]),
        f"# price_index = {{ 2024 = ... }}             # {t['price_index_when']}",
        "",
        "[participants]",
        f"cohorts = [20, 20, 20]                     # TODO: {t['cohorts']}",
        "",
        "[effect]",
        f'measure = ""                               # TODO: {t["measure"]}',
        f"# {t['effect']}",
        'effect = { dist = "pert", min = 0.0, mode = 0.1, max = 0.2 }   # TODO',
        f"# cohort_factor = [0.6, 0.9, 1.0]         # {t['cohort_factor'][0]}",
        f"#                                         # {t['cohort_factor'][1]}",
        "",
        "[persistence]",
        f"onset = 0                                  # {t['onset']}",
        f'full_years = {{ dist = "triangular", min = 1, mode = 2, max = 4 }}   # TODO: {t["full_years"]}',
        f'decay = {{ dist = "uniform", min = 0.1, max = 0.4 }}                 # TODO: {t["decay"]}',
        "",
        "[[costs]]",
        'name = "forloeb"',
        'label = "Indsatsen pr. deltager"',
        'actor = "kommune"',
        f'kind = "per_participant"                   # {t["per_participant"]}',
        "duration = 1",
        'amount = { dist = "pert", min = 20000, mode = 25000, max = 35000 }   # TODO',
        "",
        f"# [[comparison_costs]]                     # {t['comparison']}",
        '# name = "nuvaerende_praksis"',
        '# actor = "kommune"',
        '# kind = "per_participant"',
        "# amount = 10000",
        "",
        *(f"# {line}" for line in t["consequences"]),
    ]
    by_area: dict[str, list[CatalogPrice]] = {}
    for entry in catalog.prices:
        by_area.setdefault(entry.category, []).append(entry)
    for area in sorted(by_area, key=CATEGORIES.index):
        lines += ["", f"# --- {CATEGORY_LABELS[lang][area]} ---"]
        for entry in by_area[area]:
            lines += _consequence(entry, t, active=entry.name in consequences)
    return "\n".join(lines) + "\n"


def _consequence(entry: CatalogPrice, t: dict, *, active: bool) -> list[str]:
    actors = ", ".join(entry.price)
    block = [
        "[[consequences]]",
        f'name = "{entry.name}"',
        f"label = {json.dumps(entry.label or entry.name, ensure_ascii=False)}",
        f'category = "{entry.category}"',
        f"unit = {json.dumps(entry.unit, ensure_ascii=False)}",
        f"change = 0.0    # TODO: {t['change'].format(unit=entry.unit or t['units'])}",
        f'price = "catalog"    # {t["paid_by"].format(actors=actors)}'
        + (f" ({t['illustrative']})" if entry.illustrative else ""),
    ]
    return [""] + (block if active else [f"# {line}" for line in block])


def slug_file_name(name: str) -> str:
    """A file name for a case called `name`: ``Mentorordning for unge`` -> ``mentorordning-for-unge.toml``
    (Danish letters spelt out: æ -> ae, ø -> oe, å -> aa)."""
    text = name.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return f"{slug or 'case'}.toml"


def todo_lines(text: str) -> tuple[int, ...]:
    """The lines of a TOML text that set a value and mark it TODO in their comment, as
    :func:`scaffold_case` marks its placeholders (commented-out lines and the file's own notes are
    not values)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        value, hash_, comment = line.partition("#")
        if hash_ and value.strip() and "TODO" in comment:
            found.append(number)
    return tuple(found)

"""Human labels of a case's inputs and groups, in Danish and English.

Every input path of case-format.md ("Input paths") gets a label built from the case's own words (a
consequence's or cost's `label`; for English, the catalogue's `label_en` where the case uses the
catalogue's Danish label or none) and the kind of input: "Kontanthjælp: ændring pr. person med
effekt", "Kontanthjælp: pris, kommune", "Effekt: succesrate", "Deltagere, hold 1". The report, the
CLI's tables and the workbooks show these labels; the paths stay the ids an analyst edits.

:func:`labels` gives the mapping for one case and language; a path it does not know (a key added to
the format later) is labelled by its own words, never refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from somrisk.case.inputs import GROUPS, inputs_of

if TYPE_CHECKING:
    from somrisk.case import Case
    from somrisk.case.catalog import Catalog

__all__ = ["LANGUAGES", "InputLabels", "actor_name", "labels", "source_text"]

LANGUAGES = ("da", "en")

#: SØM's actors as they read inside a label ("pris, kommune"); other actors as the case spells them.
_ACTORS = {
    "da": {"kommune": "kommune", "region": "region", "stat": "stat"},
    "en": {"kommune": "municipality", "region": "region", "stat": "state"},
}

#: The default groups of inputs (case/inputs.GROUPS) by name.
GROUP_NAMES = {
    "da": {
        "costs": "Omkostninger",
        "effect": "Effekt",
        "persistence": "Varighed",
        "consequences": "Økonomiske konsekvenser",
        "prices": "Priser",
        "participants": "Deltagere",
        "economy": "Økonomi",
    },
    "en": {
        "costs": "Costs",
        "effect": "Effect",
        "persistence": "Persistence",
        "consequences": "Budget consequences",
        "prices": "Prices",
        "participants": "Participants",
        "economy": "Economy",
    },
}
assert all(set(names) == set(GROUPS) for names in GROUP_NAMES.values())

#: The words of each kind of input; `{}` is the cohort's number (from 1) or the item's label.
_WORDS = {
    "da": {
        "participants.cohorts": "Deltagere, hold {}",
        "participants.per_year": "Deltagere pr. år",
        "effect.success_rate": "Effekt: succesrate",
        "effect.comparison_rate": "Effekt: succesrate uden indsatsen",
        "effect.effect": "Effekt: forskel i succesrate",
        "effect.cohort_factor": "Effekt: indfasning, hold {} (andel af den fulde effekt)",
        "persistence.full_years": "Varighed: år med fuld effekt",
        "persistence.decay": "Varighed: årligt aftag i effekten",
        "cost.fixed": "{}: beløb",
        "cost.per_participant": "{}: beløb pr. deltager",
        "comparison": "{} (sammenligning)",
        "change": "{}: ændring pr. person med effekt",
        "during": "{}: ændring under forløbet",
        "price": "{}: pris, {}",
        "price_factor": "{}: prisfaktor",
        "catalog": "{} (katalog)",
        "economy.discount_rate": "Diskonteringsrente",
        "economy.price_growth": "Real prisvækst",
    },
    "en": {
        "participants.cohorts": "Participants, cohort {}",
        "participants.per_year": "Participants per year",
        "effect.success_rate": "Effect: success rate",
        "effect.comparison_rate": "Effect: success rate without the intervention",
        "effect.effect": "Effect: difference in success rate",
        "effect.cohort_factor": "Effect: phase-in, cohort {} (share of the full effect)",
        "persistence.full_years": "Persistence: years of full effect",
        "persistence.decay": "Persistence: yearly decay of the effect",
        "cost.fixed": "{}: amount",
        "cost.per_participant": "{}: amount per participant",
        "comparison": "{} (comparison)",
        "change": "{}: change per person with the effect",
        "during": "{}: change during the course",
        "price": "{}: price, {}",
        "price_factor": "{}: price factor",
        "catalog": "{} (catalogue)",
        "economy.discount_rate": "Discount rate",
        "economy.price_growth": "Real price growth",
    },
}


def actor_name(actor: str, lang: str) -> str:
    """An actor inside a label: SØM's actors in the language ("kommune", "municipality"); others as
    the case spells them."""
    return _ACTORS[lang].get(actor, actor)


#: somrisk's marker of a number no public source gives (its bundled cases and knowledge base), by
#: language; the rest of a source is the case's own text.
_ILLUSTRATIVE = {"da": "illustrativ", "en": "illustrative"}


def source_text(source: str | None, lang: str) -> str:
    """An input's source as readers see it: "illustrative" (and "illustrative: ...") in the
    reader's language; any other source as the case gives it."""
    if not source:
        return ""
    word = _ILLUSTRATIVE["en"]
    if source == word or source.startswith(word + ":"):
        return _ILLUSTRATIVE.get(lang, word) + source[len(word) :]
    return source


def _readable(name: str) -> str:
    """A slug as words, where the file gives no label: "gruppe_forloeb" -> "Gruppe forloeb"."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class InputLabels(Mapping[str, str]):
    """Input path -> label for one case and language, plus the names of its groups.

    Iterating gives the case's input paths in the case's fixed order; looking up any other path of
    the file format (a catalogue price, a key a later version adds) still gives a label.
    """

    def __init__(self, case: Case, lang: str, catalog: Catalog | None = None) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
        self.lang = lang
        self._words = _WORDS[lang]
        self._catalog = catalog
        self._costs = {f"costs.{c.name}": c for c in case.costs} | {
            f"comparison_costs.{c.name}": c for c in case.comparison_costs
        }
        self._consequences = {c.name: c for c in case.consequences}
        self._groups = {g.name: g.label or _readable(g.name) for g in case.groups}
        self._paths = [spec.path for spec in inputs_of(case)]
        self._cache: dict[str, str] = {}

    def __getitem__(self, path: str) -> str:
        if path not in self._cache:
            self._cache[path] = self._label(path)
        return self._cache[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, path: object) -> bool:
        """Whether `path` is an input of this case (any path can still be looked up)."""
        return path in self._paths

    def group(self, name: str) -> str:
        """A group's name for readers: a default group in the language, a declared group's label,
        the parts of a merged group ("a + b") each named and joined with " + "; an input path
        (a group of one input) by its label."""
        names = GROUP_NAMES[self.lang] | self._groups
        return " + ".join(names[part] if part in names else self[part] for part in name.split(" + "))

    def consequence(self, name: str) -> str:
        """A consequence's own label ("Kontanthjælp"), without the kind of input."""
        return self._consequence_name(name, from_catalog=False)

    # --- the labels --------------------------------------------------------------------------

    def _label(self, path: str) -> str:
        words = self._words
        parts = path.split(".")
        head = ".".join(parts[:2])
        if (
            head in ("participants.cohorts", "effect.cohort_factor")
            and len(parts) == 3
            and parts[2].isdigit()
        ):
            return words[head].format(int(parts[2]) + 1)
        if path in words:
            return words[path]
        if parts[0] in ("costs", "comparison_costs") and len(parts) == 3 and parts[2] == "amount":
            cost = self._costs.get(head)
            name = (cost.label if cost is not None and cost.label else "") or _readable(parts[1])
            kind = (
                "cost.per_participant"
                if cost is not None and cost.kind == "per_participant"
                else "cost.fixed"
            )
            if parts[0] == "comparison_costs":
                name = words["comparison"].format(name)
            return words[kind].format(name)
        if parts[0] in ("consequences", "catalog") and len(parts) >= 3:
            name = self._consequence_name(parts[1], from_catalog=parts[0] == "catalog")
            if parts[0] == "catalog":
                name = words["catalog"].format(name)
            key = parts[2]
            if key == "price" and len(parts) == 4:
                return words["price"].format(name, actor_name(parts[3], self.lang))
            if key in ("change", "during", "price_factor") and len(parts) == 3:
                return words[key].format(name)
        return _readable(path.replace(".", " "))

    def _consequence_name(self, name: str, *, from_catalog: bool) -> str:
        """A consequence's label: the case's own; in English the catalogue's `label_en` where the
        case's label is the catalogue's Danish one or missing; else the catalogue's label; else the
        name in words."""
        own = "" if from_catalog else getattr(self._consequences.get(name), "label", "")
        entry = self._catalog_entry(name)
        if entry is not None:
            if self.lang == "en" and entry.label_en and own in ("", entry.label):
                return entry.label_en
            if not own and entry.label:
                return entry.label
        return own or _readable(name)

    def _catalog_entry(self, name: str):
        if self._catalog is not None:
            return self._catalog.entry(name)
        from somrisk.case.catalog import builtin_catalog

        return builtin_catalog().entry(name)


def labels(case: Case, lang: str = "da", *, catalog: Catalog | None = None) -> InputLabels:
    """Every input path of `case` -> its label in `lang` ("da" or "en"); `catalog` (default: the
    knowledge base) supplies the words of consequences priced from it. ``.group(name)`` names
    groups."""
    return InputLabels(case, lang, catalog)

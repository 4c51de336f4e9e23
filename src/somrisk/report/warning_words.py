"""model.md's warnings as readers see them: in Danish or English, each consequence named by its
label (somrisk.labels), as the report's first page and the command line's tables show them.

The warnings themselves (:mod:`somrisk.case.model_warnings`) name consequences by their names in
the case file, and the JSON keeps that English text as it is (outputs.md, ``warnings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from somrisk.labels import labels

if TYPE_CHECKING:
    from somrisk.case import Case

__all__ = ["warning_texts"]


def warning_texts(case: Case, lang: str) -> list[str]:
    """The texts of the warnings that hold for `case`, in `lang` (``da`` or ``en``), in their fixed
    order; a consequence's name in the file ("uddannelseshjaelp") replaced by its label
    ("Uddannelseshjælp", "Education benefit (under-30s without education)")."""
    from somrisk.case.model_warnings import joined, model_warnings

    found = model_warnings(case)
    if not found:
        return []
    names = labels(case, lang)
    # the one list of names a warning holds: the consequences with a year-by-year profile
    profiled = [c.name for c in case.consequences if c.profile is not None and len(c.profile) > 1]
    slugs, shown = joined(profiled, lang), joined([names.consequence(name) for name in profiled], lang)
    texts = [w.text(lang) for w in found]
    return [text.replace(slugs, shown) if slugs else text for text in texts]

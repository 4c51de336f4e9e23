"""Warnings of model.md ("Warnings"): the run goes on, and every output lists them.

- The horizon cuts off part of a cohort's window: SØM counts consequences for the whole window
  after each cohort, so a shorter horizon silently drops gains SØM would count.
- Relapse counted twice: the persistence layer fades the effect while a consequence also has a
  year-by-year profile; SØM's year-by-year estimates already contain relapse.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from somrisk.case.load import Case
from somrisk.case.schema import MAX_HORIZON
from somrisk.distributions import as_distribution

__all__ = ["ModelWarning", "model_warnings"]


@dataclass(frozen=True)
class ModelWarning:
    """One warning, in English and in Danish; `code` names its kind (``window_cut``, ``relapse_twice``)."""

    code: str
    en: str
    da: str

    def text(self, lang: str = "en") -> str:
        return self.da if lang == "da" else self.en


def model_warnings(case: Case) -> tuple[ModelWarning, ...]:
    """The warnings that hold for a case, in a fixed order."""
    found = [_window_cut(case), _relapse_twice(case)]
    return tuple(w for w in found if w is not None)


def _window_cut(case: Case) -> ModelWarning | None:
    persistence = case.persistence
    window = None if persistence is None else persistence.window
    if persistence is None or window is None or window > MAX_HORIZON:
        return None  # a window longer than any horizon acts as the horizon (docs/decisions.md)
    first, last = case.participants.intake_years
    horizon, onset = case.horizon, persistence.onset
    total = (last - first + 1) * window
    counted = sum(max(0, min(window, horizon - (s + onset))) for s in range(first, last + 1))
    cut = total - counted
    if cut <= 0:
        return None
    needed = last + onset + window
    share = cut / total
    fix_en = f"set horizon = {needed} in [case] to count them"
    fix_da = f"sæt horizon = {needed} i [case] for at tælle dem med"
    if needed > MAX_HORIZON:
        fix_en = f"a horizon of {needed} years would be needed (at most {MAX_HORIZON}): shorten the window"
        fix_da = f"det kræver en tidshorisont på {needed} år (højst {MAX_HORIZON}): gør vinduet kortere"
    return ModelWarning(
        "window_cut",
        f"the horizon ({horizon} years) ends before the last cohorts' {window}-year windows do: "
        f"{cut} of {total} cohort-years of effect ({100 * share:.0f} %) are not counted, which "
        f"SØM would count; {fix_en}",
        f"tidshorisonten ({horizon} år) slutter før de sidste holds vinduer på {window} år: "
        f"{cut} af {total} holdår med effekt ({100 * share:.0f} %) tælles ikke med, som SØM ville "
        f"tælle med; {fix_da}",
    )


def _relapse_twice(case: Case) -> ModelWarning | None:
    persistence = case.persistence
    profiled = [c.name for c in case.consequences if c.profile is not None and len(c.profile) > 1]
    if persistence is None or not profiled:
        return None
    if persistence.profile is not None:
        return (
            _relapse_warning(profiled, "a falling profile", "en faldende profil")
            if _falls(persistence.profile)
            else None
        )
    if persistence.full_years is None and persistence.decay is None:
        return None  # onset and window only: full effect, then none
    # F (default 0) and delta (default 1 after F: the effect ends) at their base values; the
    # effect fades within the horizon where delta > 0 and F is shorter than the horizon
    full = 0.0 if persistence.full_years is None else as_distribution(persistence.full_years).base_value
    decay = 1.0 if persistence.decay is None else as_distribution(persistence.decay).base_value
    if decay <= 0 or full >= case.horizon:
        return None
    decays = persistence.decay is not None
    what_en = "decay" if decays else "full_years shorter than the horizon"
    what_da = "decay" if decays else "full_years kortere end tidshorisonten"
    return _relapse_warning(profiled, what_en, what_da)


def _falls(profile: list[float] | tuple[float, ...]) -> bool:
    """An explicit persistence profile fades the effect where a value is below the one before it."""
    return any(later < earlier for earlier, later in itertools.pairwise(profile))


def joined(names: list[str], lang: str) -> str:
    """Names as a sentence lists them: "a", "a and b", "a, b and c" (Danish: "og")."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {'og' if lang == 'da' else 'and'} {names[-1]}"


def _relapse_warning(profiled: list[str], what_en: str, what_da: str) -> ModelWarning:
    return ModelWarning(
        "relapse_twice",
        f"relapse may be counted twice: the persistence fades the effect ({what_en}) while "
        f"{joined(profiled, 'en')} also {'has' if len(profiled) == 1 else 'have'} a year-by-year "
        "profile, and SØM's year-by-year estimates already contain relapse; use one of the two",
        f"tilbagefald kan være talt med to gange: persistensen aftager ({what_da}), mens "
        f"{joined(profiled, 'da')} også har en profil år for år, og SØM's skøn år for år indeholder "
        "allerede tilbagefald; brug kun den ene af de to",
    )

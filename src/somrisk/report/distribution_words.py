"""A distribution in words: the family's own words (:data:`somrisk.distributions.FAMILIES`) with its
numbers in a language's notation, as the report's assumption register and ``somrisk check`` show it
("PERT-fordeling 16-30, mest sandsynligt 24", "normal, mean −0.25, sd 0.08")."""

from __future__ import annotations

import math
import re
from typing import Any

from somrisk.distributions import FAMILIES
from somrisk.report.i18n import Words, describe

__all__ = ["in_words"]


def in_words(dist: Any, words: Words) -> str:
    """`dist` (a validated distribution of case-format.md) in the words of `words.lang`: the
    family's template filled with its mean, sd, median, min, mode, max, count of values and the
    numbers its own words name (smd's d and p0); a family without words (truncnormal) by its own
    parameters (:meth:`Distribution.describe`)."""
    if not dist.is_uncertain:
        return describe("fixed", {"value": dist.mean}, words)
    params = {"mean": dist.mean}
    if dist.dist == "normal" and isinstance(getattr(dist, "sd", None), int | float):
        params["sd"] = float(dist.sd)  # normal(mean, sd): its own sd (smd's `sd` is d's, not the effect's)
    elif dist.dist == "lognormal":  # its median is exp(mu) of its canonical (mu, sigma)
        params["median"] = math.exp(dist.canonical().params[0])
    elif _named(dist.dist, words.lang) & {"sd", "median"}:
        # only where the words name them: scipy.stats takes about a second to import (`somrisk check`)
        frozen = dist.scipy()
        params |= {"sd": float(frozen.std()), "median": float(frozen.ppf(0.5))}
    for key in ("min", "mode", "max"):
        value = getattr(dist, key, None)
        if isinstance(value, int | float):
            params[key] = float(value)
    values = getattr(dist, "values", None)
    if values is not None:
        params["count"] = float(len(values))
    params.update(getattr(dist, "word_params", dict)())  # smd: the d and p0 the case gives
    try:
        return describe(dist.dist, params, words)
    except KeyError:  # a family described by its own parameters (truncnormal: the parent's, bounds)
        return dist.describe()


def _named(kind: str, lang: str) -> set[str]:
    """The numbers a family's words name ({sd}, {median}, ...); none where it has no words."""
    family = FAMILIES.get(kind)
    if family is None or family.words is None:
        return set()
    return set(re.findall(r"\{(\w+)\}", family.words[lang]))

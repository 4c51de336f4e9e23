"""Distribution families of case-format.md, as declarations with a scipy.stats twin.

:mod:`.families` declares each family once (a :class:`Family` in :data:`FAMILIES`); :mod:`.forms`
holds the closed forms (mean, CDF) of the canonical forms they reduce to. docs/architecture.md
says how to add a family.
"""

from somrisk.distributions.families import (
    FAMILIES,
    FORMS,
    MAX_MAGNITUDE,
    OUTSIDE_TOLERANCE,
    PAIR_COLUMNS,
    PARAMETER_COLUMNS,
    Z975,
    Beta,
    Canonical,
    Distribution,
    Empirical,
    Family,
    Finite,
    Fixed,
    Gamma,
    LogNormal,
    NonNegative,
    Normal,
    Pert,
    Positive,
    Smd,
    Triangular,
    TruncNormal,
    Uniform,
    Value,
    as_distribution,
    to_scipy,
)
from somrisk.distributions.forms import EmpiricalDistribution, Form

__all__ = [
    "FAMILIES",
    "FORMS",
    "MAX_MAGNITUDE",
    "OUTSIDE_TOLERANCE",
    "PAIR_COLUMNS",
    "PARAMETER_COLUMNS",
    "Z975",
    "Beta",
    "Canonical",
    "Distribution",
    "Empirical",
    "EmpiricalDistribution",
    "Family",
    "Finite",
    "Fixed",
    "Form",
    "Gamma",
    "LogNormal",
    "NonNegative",
    "Normal",
    "Pert",
    "Positive",
    "Smd",
    "Triangular",
    "TruncNormal",
    "Uniform",
    "Value",
    "as_distribution",
    "to_scipy",
]

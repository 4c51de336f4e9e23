"""The case file schema of case-format.md, as pydantic v2 models.

Each TOML section is one model with ``extra="forbid"`` (a typo must not fall back to a default) and
strict types (``"12"`` is not a number). Rules that concern one section live in that section's model;
rules across sections (actors, horizon, correlations) are in :mod:`somrisk.case.checks`.

Inputs that have a range (case-format.md, "Ranges") are annotated with a :class:`Range`; a
distribution that puts more than ``1e-6`` of its probability outside the range is refused.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from somrisk.distributions import OUTSIDE_TOLERANCE, Distribution, Finite, Value, as_distribution

__all__ = [
    "AMOUNT",
    "ANY",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "COHORT_FACTOR",
    "DEFAULT_ACTORS",
    "DISCOUNT",
    "EFFECT",
    "FULL_YEARS",
    "GROWTH",
    "PARTICIPANTS",
    "RATE",
    "CalendarYear",
    "CaseInfo",
    "Consequence",
    "Correlation",
    "Cost",
    "Economy",
    "Effect",
    "Group",
    "Participants",
    "Persistence",
    "Range",
    "whole_number",
]


DEFAULT_ACTORS = ("kommune", "region", "stat")
CATEGORIES = ("beskaeftigelse", "uddannelse", "social", "sundhed", "kriminalitet", "other")
#: The consequence areas in words, as SØM groups them (the report, ``somrisk new``).
CATEGORY_LABELS = {
    "da": {
        "beskaeftigelse": "Beskæftigelse",
        "uddannelse": "Uddannelse",
        "social": "Social",
        "sundhed": "Sundhed",
        "kriminalitet": "Kriminalitet",
        "other": "Øvrige",
    },
    "en": {
        "beskaeftigelse": "Employment",
        "uddannelse": "Education",
        "social": "Social services",
        "sundhed": "Health",
        "kriminalitet": "Crime",
        "other": "Other",
    },
}
SLUG = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class Range:
    """The interval an input must stay in; draws are clipped to it (within the tolerance)."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    what: str = "this input"
    hint: str = ""

    def __str__(self) -> str:
        if self.hi == math.inf and not self.lo_open:
            return f"[{_num(self.lo)}, inf)"
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"{left}{_num(self.lo)}, {_num(self.hi)}{right}"

    @property
    def closed(self) -> tuple[float, float]:
        """The closed interval draws are clipped to (open ends moved in by one ulp)."""
        lo = math.nextafter(self.lo, math.inf) if self.lo_open else self.lo
        hi = math.nextafter(self.hi, -math.inf) if self.hi_open else self.hi
        return lo, hi

    def contains(self, x: float) -> bool:
        lo, hi = self.closed
        return lo <= x <= hi

    def __call__(self, value: float | Distribution) -> float | Distribution:
        """Pydantic after-validator: refuse values and distributions outside the range."""
        dist = as_distribution(value)
        if not dist.is_uncertain:
            if not self.contains(dist.mean):  # the fixed value (a plain number or `value`)
                raise ValueError(f"{self.what} must lie in {self}")  # e.g. "a rate must lie in [0, 1]"
            if not self.contains(dist.base_value):
                raise ValueError(f"`base` ({dist.base_value:g}) must lie in {self}, the range of {self.what}")
            return value
        outside = dist.prob_outside(*self.closed)
        if outside > OUTSIDE_TOLERANCE:
            hint = f" {self.hint}" if self.hint else ""
            raise ValueError(
                f"{self.what} must lie in {self}, but {dist.describe()} puts "
                f"{_share(outside)} of its probability outside.{hint}"
            )
        if dist.base is not None and not self.contains(dist.base):
            raise ValueError(f"`base` ({dist.base:g}) must lie in {self}, the range of {self.what}")
        return value


def _num(x: float) -> str:
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"


def _share(p: float) -> str:
    return f"{100 * p:.2g} %" if p >= 0.001 else f"{p:.2g}"


RATE = Range(0.0, 1.0, what="a rate", hint="Use beta, truncnormal or pert for a rate.")
EFFECT = Range(
    -1.0,
    1.0,
    what="an effect (a difference of rates)",
    hint="Use truncnormal, beta or pert, or give success_rate and comparison_rate.",
)
_POSITIVE_HINT = "Use truncnormal (min = 0), lognormal, gamma or pert."
PARTICIPANTS = Range(0.0, math.inf, what="a number of participants", hint=_POSITIVE_HINT)
AMOUNT = Range(0.0, math.inf, what="a cost amount", hint=_POSITIVE_HINT)
FULL_YEARS = Range(0.0, math.inf, what="full_years", hint=_POSITIVE_HINT)
DISCOUNT = Range(
    0.0,
    1.0,
    hi_open=True,
    what="the discount rate",
    hint="Use uniform, triangular, pert or truncnormal.",
)
GROWTH = Range(
    -1.0,
    1.0,
    lo_open=True,
    hi_open=True,
    what="the price growth",
    hint="Use uniform, triangular, pert or truncnormal.",
)
ANY = Range(-math.inf, math.inf)
COHORT_FACTOR = Range(
    0.0,
    1.0,
    what="a cohort factor (the share of the full effect a cohort reaches)",
    hint="Use beta, truncnormal or pert for a share.",
)

RateValue = Annotated[Value, AfterValidator(RATE)]
EffectValue = Annotated[Value, AfterValidator(EFFECT)]
ParticipantsValue = Annotated[Value, AfterValidator(PARTICIPANTS)]
AmountValue = Annotated[Value, AfterValidator(AMOUNT)]
FullYearsValue = Annotated[Value, AfterValidator(FULL_YEARS)]
DiscountValue = Annotated[Value, AfterValidator(DISCOUNT)]
GrowthValue = Annotated[Value, AfterValidator(GROWTH)]
CohortFactorValue = Annotated[Value, AfterValidator(COHORT_FACTOR)]


def whole_number(value: object) -> object:
    """10.0 is the whole number 10 (TOML writes some numbers with a decimal point)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


Year = Annotated[int, BeforeValidator(whole_number), Strict()]
#: A calendar year (of the horizon's start, or of a price level).
CalendarYear = Annotated[Year, Field(ge=0, le=9999)]
Slug = Annotated[str, Strict(), Field(pattern=rf"^{SLUG.pattern}$")]
Text = Annotated[str, Strict()]
Fraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]


def _horizon_tag(raw: object) -> str | None:
    if raw == "auto":
        return "auto"
    return "number" if isinstance(raw, int | float) and not isinstance(raw, bool) else None


#: The longest horizon a case may have, in years (case-format.md), also for ``horizon = "auto"``.
MAX_HORIZON = 50

#: ``horizon = 10`` (1 to 50 years) or ``horizon = "auto"`` (the last cohort's window fits).
Horizon = Annotated[
    Annotated[Annotated[Year, Field(ge=1, le=MAX_HORIZON)], Tag("number")]
    | Annotated[Literal["auto"], Tag("auto")],
    Discriminator(
        _horizon_tag,
        custom_error_type="not_horizon",
        custom_error_message='expected a whole number of years from 1 to 50, or "auto"',
    ),
]


class Section(BaseModel):
    """Base of every table in a case file."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CaseInfo(Section):
    """``[case]``: what the case is and its time frame."""

    name: Text
    description: Text = ""
    currency: Annotated[Text, Field(min_length=1)] = "DKK"
    price_year: CalendarYear | None = None
    start_year: CalendarYear
    horizon: Horizon = 10
    actors: Annotated[list[Text], Field(min_length=1)] = list(DEFAULT_ACTORS)

    @model_validator(mode="after")
    def _check_actors(self) -> CaseInfo:
        for actor in self.actors:
            if not actor or "." in actor or actor != actor.strip():
                raise ValueError(
                    f'actor names must be non-empty, without dots or spaces at the ends; found "{actor}"'
                )
            if actor == "total":
                raise ValueError('"total" is reserved for the sum over actors; name the actor otherwise')
        duplicates = sorted({a for a in self.actors if self.actors.count(a) > 1})
        if duplicates:
            raise ValueError(f"each actor may be listed once; repeated: {', '.join(duplicates)}")
        return self

    @property
    def price_level(self) -> int:
        """The price year; defaults to the start year when the case does not give one."""
        return self.start_year if self.price_year is None else self.price_year


def _index_year(key: str) -> str:
    if not (key.isascii() and key.isdigit() and len(key) <= 4 and key == str(int(key))):
        raise PydanticCustomError(
            "not_a_year",
            "a key of price_index is a calendar year (a whole number 0-9999 without leading zeros), e.g. "
            "price_index = { 2024 = 118.7 }",
        )
    return key


#: A year of ``[economy] price_index``: TOML keys are text, so ``2024`` is the key "2024".
IndexYear = Annotated[str, Strict(), AfterValidator(_index_year)]
#: A value of the net price index (any base; only ratios are used): a finite number > 0.
IndexValue = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Economy(Section):
    """``[economy]``: discount rate r, real price growth g and the case's own net price index values
    (year -> index value, any base; :mod:`somrisk.case.prices`)."""

    discount_rate: DiscountValue = 0.035
    price_growth: GrowthValue = 0.0
    price_index: dict[IndexYear, IndexValue] | None = None

    @property
    def index_values(self) -> dict[int, float]:
        """`price_index` with whole-number years (empty where not given)."""
        return {int(year): float(value) for year, value in (self.price_index or {}).items()}


def _years_tag(raw: object) -> str | None:
    if isinstance(raw, list):
        return "list"
    return "number" if isinstance(raw, int | float) and not isinstance(raw, bool) else None


#: ``years = 3`` (intake years 0, 1, 2) or ``years = [first, last]``.
IntakeYears = Annotated[
    Annotated[Year, Tag("number")] | Annotated[list[Year], Field(min_length=2, max_length=2), Tag("list")],
    Discriminator(
        _years_tag,
        custom_error_type="not_intake_years",
        custom_error_message="expected a whole number of intake years, or [first, last]",
    ),
]


class Participants(Section):
    """``[participants]``: intake cohorts, as a list or as `per_year` over `years`."""

    cohorts: Annotated[list[ParticipantsValue], Field(min_length=1)] | None = None
    per_year: ParticipantsValue | None = None
    years: IntakeYears | None = None

    @model_validator(mode="after")
    def _check_form(self) -> Participants:
        if self.cohorts is not None:
            if self.per_year is not None or self.years is not None:
                raise ValueError("give either `cohorts` or `per_year` with `years`, not both")
        elif self.per_year is None or self.years is None:
            raise ValueError("give `cohorts = [...]`, or `per_year` together with `years`")
        else:
            first, last = self.intake_years
            if first < 0 or last < first:
                raise ValueError(
                    "`years` is a number of intake years (>= 1) or [first, last] with "
                    f"0 <= first <= last; found {self.years}"
                )
        return self

    @property
    def intake_years(self) -> tuple[int, int]:
        """First and last intake year (years of the horizon, 0 = start year)."""
        if self.cohorts is not None:
            return 0, len(self.cohorts) - 1
        if isinstance(self.years, list):
            return self.years[0], self.years[1]
        assert self.years is not None
        return 0, self.years - 1


class Effect(Section):
    """``[effect]``: success rates p1 and p0, or the effect e directly; optional cohort factors f_i.

    `cohort_factor` is the share of the full effect each intake cohort reaches (phase-in,
    indfasning), in [0, 1]; entry i is cohort i's (in intake order) and the last repeats for later
    cohorts. Left out, every cohort reaches the full effect.
    """

    measure: Text = ""
    success_rate: RateValue | None = None
    comparison_rate: RateValue | None = None
    effect: EffectValue | None = None
    cohort_factor: Annotated[list[CohortFactorValue], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _check_form(self) -> Effect:
        rates = self.success_rate is not None or self.comparison_rate is not None
        if self.effect is not None and rates:
            raise ValueError("give either `effect`, or `success_rate` (with `comparison_rate`), not both")
        if self.effect is None and self.success_rate is None:
            if self.comparison_rate is not None:
                raise ValueError("`comparison_rate` needs a `success_rate` to compare with")
            raise ValueError("give `effect`, or `success_rate` (and `comparison_rate`)")
        return self


class Persistence(Section):
    """``[persistence]``: onset O, window W, and F with delta or an explicit profile."""

    onset: Annotated[Year, Field(ge=0)] = 0
    window: Annotated[Year, Field(ge=1)] | None = None
    full_years: FullYearsValue | None = None
    decay: RateValue | None = None
    profile: Annotated[list[Fraction], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _check_form(self) -> Persistence:
        if self.profile is not None and (self.full_years is not None or self.decay is not None):
            raise ValueError("give either `profile`, or `full_years` and `decay`, not both")
        return self


class Cost(Section):
    """One ``[[costs]]`` or ``[[comparison_costs]]`` item (amount in the case's currency, >= 0)."""

    name: Slug
    label: Text = ""
    actor: Text
    kind: Literal["fixed", "per_participant"]
    year: Annotated[Year, Field(ge=0)] | None = None
    years: Annotated[list[Annotated[Year, Field(ge=0)]], Field(min_length=2, max_length=2)] | None = None
    duration: Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)] | None = None
    amount: AmountValue
    price_year: CalendarYear | None = None

    @model_validator(mode="after")
    def _check_form(self) -> Cost:
        if self.kind == "fixed":
            if self.duration is not None and self.duration != 1:
                warnings.warn(
                    f'cost "{self.name}": `duration` is for kind = "per_participant" and is ignored for '
                    "a fixed cost, which is paid in `year` or over `years`",
                    UserWarning,
                    stacklevel=2,
                )
            if self.year is not None and self.years is not None:
                raise ValueError("give `year` or `years = [first, last]`, not both")
            if self.years is not None and self.years[0] > self.years[1]:
                raise ValueError(f"`years` must be [first, last] with first <= last; found {self.years}")
        elif self.year is not None or self.years is not None:
            raise ValueError(
                "a per-participant cost is paid in the `duration` years after each intake; "
                '`year`/`years` are for kind = "fixed"'
            )
        return self

    @property
    def paid_years(self) -> tuple[int, int]:
        """First and last year of the horizon of a fixed cost (default: year 0)."""
        if self.years is not None:
            return self.years[0], self.years[1]
        year = 0 if self.year is None else self.year
        return year, year

    @property
    def duration_years(self) -> float:
        """Years a per-participant cost is paid after intake (default 1)."""
        return 1.0 if self.duration is None else self.duration


def _price_tag(raw: object) -> str | None:
    if isinstance(raw, dict):
        return "table"
    return "catalog" if isinstance(raw, str) else None


#: ``price = { kommune = ..., stat = ... }``, or ``"catalog"`` for a portfolio's shared price.
Price = Annotated[
    Annotated[dict[str, Value], Tag("table")] | Annotated[Literal["catalog"], Tag("catalog")],
    Discriminator(
        _price_tag,
        custom_error_type="not_a_price",
        custom_error_message='expected a table of prices by actor, e.g. { kommune = 95000 }, or "catalog"',
    ),
]


class Consequence(Section):
    """One ``[[consequences]]`` item: change q_c per person with effect, prices v_{c,a}.

    `during` is d_c, the change in use per participant per year while in the intervention (SØM's
    consequences during the intervention), in the consequence's own unit and of any sign (negative:
    less use), counted for every participant in the `during_years` years after intake (default 1),
    with or without the effect.
    """

    name: Slug
    label: Text = ""
    category: Literal[CATEGORIES] = "other"  # type: ignore[valid-type]
    unit: Text = ""
    change: Value
    profile: Annotated[list[Finite], Field(min_length=1)] | None = None
    price: Price = Field(default_factory=dict)
    price_factor: Value | None = None
    during: Value | None = None
    during_years: Annotated[Year, Field(ge=1)] | None = None
    price_year: CalendarYear | None = None

    @model_validator(mode="after")
    def _check_price(self) -> Consequence:
        if self.price == "catalog" and self.price_year is not None:
            raise ValueError(
                "`price_year` is the price year of the consequence's own prices; a catalogue price "
                "has its catalogue entry's price year: remove price_year, or give the prices"
            )
        if self.during_years is not None and self.during is None:
            warnings.warn(
                f'consequence "{self.name}": `during_years` counts the years of `during`, which it '
                "does not give, so it is ignored",
                UserWarning,
                stacklevel=2,
            )
        if self.price == {}:
            warnings.warn(
                f'consequence "{self.name}" names no price, so no actor pays for it and it changes '
                "no budget; give price = { kommune = ... }",
                UserWarning,
                stacklevel=2,
            )
        return self

    @property
    def during_span(self) -> int:
        """Years after intake in which `during` counts (default 1)."""
        return 1 if self.during_years is None else self.during_years


class Correlation(Section):
    """One ``[[correlations]]`` item: a Spearman rank correlation between two uncertain inputs."""

    inputs: Annotated[list[Text], Field(min_length=2, max_length=2)]
    rank: Annotated[float, Strict(), Field(ge=-1, le=1, allow_inf_nan=False)]


class Group(Section):
    """One ``[[groups]]`` item: uncertain inputs the sensitivity analyses treat as one group, instead
    of their default groups (effect, persistence, costs, consequences, prices, participants, economy)."""

    name: Slug
    label: Text = ""
    inputs: Annotated[list[Text], Field(min_length=1)]

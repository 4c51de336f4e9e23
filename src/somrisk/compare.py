"""Stage 9: alternatives compared on common random numbers (model.md, "Decisions between
alternatives"): ``somrisk compare`` (cases) and ``somrisk scenarios`` (a case and its scenarios).

The alternatives are simulated through the engine in one pass, each with its columns of one shared
design (:mod:`somrisk.engine.alternatives`), so that the difference NPV_X - NPV_reference, taken draw by
draw, measures the alternatives rather than the sampling noise. An actor that one alternative lacks
has NPV 0 there.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from somrisk._files import shown_path
from somrisk.case import Case, load_case
from somrisk.case.scenarios import BASE, scenario_case
from somrisk.cube import make_attrs
from somrisk.engine import Simulation, prepare, scheduler
from somrisk.engine.alternatives import simulate_alternatives
from somrisk.errors import CaseError, UsageError
from somrisk.precision import AUTO, auto_draws, check_draws

__all__ = [
    "DIFFERENCE_PERCENTILES",
    "Comparison",
    "alternatives_actors",
    "compare",
    "compare_scenarios",
    "load_alternatives",
]

#: Draws of a comparison where none are given.
DEFAULT_DRAWS = 10_000

#: Percentiles of the difference (outputs.md, "Comparison JSON": p05, p50, p95).
DIFFERENCE_PERCENTILES = (5.0, 50.0, 95.0)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Alternatives simulated on common random numbers; the first is the reference.

    Attributes
    ----------
    names : tuple of str
        The alternatives' names (file stems, or ``base`` and the scenario names).
    simulations : tuple of Simulation
        Each alternative's run, on its columns of the shared design.
    actors : tuple of str
        Every actor of any alternative, in the order first seen.
    """

    names: tuple[str, ...]
    simulations: tuple[Simulation, ...]
    actors: tuple[str, ...]

    @property
    def reference(self) -> str:
        return self.names[0]

    @property
    def draws(self) -> int:
        return self.simulations[0].draws

    @property
    def labels(self) -> tuple[str, ...]:
        """``total``, then the actors: the rows of :meth:`npv` and :meth:`difference`."""
        return ("total", *self.actors)

    def npv(self, name: str) -> np.ndarray:
        """NPV of an alternative in every draw (1 + actors, draws): the total, then each actor (0
        where the alternative does not have the actor); money in its case's currency."""
        sim = self.simulations[self.names.index(name)]
        rows = np.zeros((1 + len(self.actors), sim.draws))
        rows[0] = sim.npv_total
        for a, actor in enumerate(sim.actors):
            rows[1 + self.actors.index(actor)] = sim.npv[a]
        return rows

    def difference(self, name: str) -> np.ndarray:
        """NPV_name - NPV_reference in every draw (1 + actors, draws); > 0 where `name` is better."""
        return self.npv(name) - self.npv(self.reference)

    def difference_statistics(self, name: str) -> dict[str, dict[str, float]]:
        """Per label (``total``, actors): mean, sd (ddof 1), p05, p50, p95 and prob_positive (the
        share of draws in which `name` beats the reference) of the difference."""
        return {
            label: _statistics(row) for label, row in zip(self.labels, self.difference(name), strict=True)
        }


def _statistics(row: np.ndarray) -> dict[str, float]:
    shift = row[0]  # deviations from the first value: equal values give sd 0 exactly
    deviations = row - shift
    offset = float(deviations.mean())
    deviations -= offset
    sd = math.sqrt(float(deviations @ deviations) / (row.size - 1)) if row.size > 1 else 0.0
    p05, p50, p95 = np.percentile(row, DIFFERENCE_PERCENTILES)
    return {
        "mean": float(shift + offset),
        "sd": sd,
        "p05": float(p05),
        "p50": float(p50),
        "p95": float(p95),
        "prob_positive": float(np.count_nonzero(row > 0) / row.size),
    }


def alternatives_actors(cases: Sequence[Case]) -> tuple[str, ...]:
    """Every actor of any alternative, in the order first seen: a comparison's actors."""
    return tuple(dict.fromkeys(actor for case in cases for actor in case.actors))


def compare(
    cases: Sequence[Case],
    names: Sequence[str] | None = None,
    *,
    draws: int | str = DEFAULT_DRAWS,
    seed: int = 1,
    sampler: str = "lhs",
    threads: int | None = None,
    scheduler_spec: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    tolerance: float | None = None,
) -> Comparison:
    """Simulate alternatives on common random numbers; the first is the reference.

    Parameters
    ----------
    cases : sequence of Case
        Two or more alternatives.
    names : sequence of str, optional
        Their names (default: the cases' names); unique.
    draws, seed, sampler, threads, progress
        As for :func:`somrisk.simulate` (`progress` counts the draws of every alternative).
        ``draws="auto"``: whole blocks until P(> 0) of every alternative's NPV and of every
        difference is precise to `tolerance` (default 0.005), per actor and in total.
    scheduler_spec : str, optional
        As `scheduler` of :func:`somrisk.simulate`; one scheduler runs every alternative.

    Raises
    ------
    UsageError
        Fewer than two alternatives, or two with the same name.
    """
    names = tuple(case.name for case in cases) if names is None else tuple(names)
    if len(cases) < 2:
        raise UsageError("a comparison needs at least two alternatives (the first is the reference)")
    if len(names) != len(cases):
        raise UsageError(f"give one name per alternative: {len(cases)} alternatives, {len(names)} names")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise UsageError(f"alternatives need different names; {', '.join(map(repr, twice))} is given twice")
    check_draws(draws, tolerance)
    models = [prepare(case) for case in cases]
    actors = alternatives_actors(cases)

    def run(n: int) -> Comparison:
        attrs = [make_attrs(model.case, seed=seed, sampler=sampler, draws=n) for model in models]
        simulations = simulate_alternatives(
            models, draws=n, seed=seed, sampler=sampler, attrs=attrs, progress=progress
        )
        return Comparison(names, simulations, actors)

    # one scheduler for every alternative: the one asked for, else the caller's (engine.scheduler)
    asked = scheduler_spec is not None or threads is not None
    with scheduler(scheduler_spec, threads) if asked else contextlib.nullcontext():
        if draws != AUTO:
            return run(int(draws))
        result, precision = auto_draws(
            lambda n: _precise_rows(run(n)), **({} if tolerance is None else {"tolerance": tolerance})
        )
    for sim in result.simulations:
        sim.attrs.update(precision.attrs())
    return result


def _precise_rows(result: Comparison) -> tuple[Comparison, np.ndarray, list[str]]:
    """The rows whose P(> 0) ``--draws auto`` makes precise: every alternative's NPV and every
    difference against the reference, per actor and in total."""
    rows, labels = [], []
    for name in result.names:
        rows.append(result.npv(name))
        labels += [f"{name}: {label}" for label in result.labels]
    for name in result.names[1:]:
        rows.append(result.difference(name))
        labels += [f"{name} - {result.reference}: {label}" for label in result.labels]
    return result, np.vstack(rows), labels


def compare_scenarios(case: Case, **options) -> Comparison:
    """The case (``base``) and each of its ``[[scenarios]]``, compared on common random numbers;
    options as for :func:`compare`.

    Raises
    ------
    UsageError
        For a case without scenarios.
    """
    if not case.scenarios:
        raise UsageError(f"{case.source}: the case has no [[scenarios]]; add one (case-format.md)")
    alternatives = [case, *(scenario_case(case, s) for s in case.scenarios)]
    return compare(alternatives, [BASE, *(s.name for s in case.scenarios)], **options)


def load_alternatives(paths: Sequence[str | Path | Case]) -> tuple[list[Case], list[str]]:
    """The cases of ``somrisk compare A.toml B.toml ...`` and their names: the files' stems, or
    their whole names where two stems are the same (a case and its workbook). A Case given
    (a workbook already read) is taken as it is, named by its source.

    Raises
    ------
    UsageError
        Fewer than two files, or two files with the same name (their alternatives would share it).
    CaseError
        With every problem of every file.
    """
    if len(paths) < 2:
        raise UsageError(
            f"compare needs two or more case files (the first is the reference); got {len(paths)}"
        )
    files = [Path(path.source) if isinstance(path, Case) else Path(path) for path in paths]
    stems = [file.stem for file in files]
    # a case beside its own workbook (case.toml, case.xlsx): named by the whole file name
    names = [file.name if stems.count(file.stem) > 1 else file.stem for file in files]
    for name in dict.fromkeys(names):
        same = [shown_path(file) for file, n in zip(files, names, strict=True) if n == name]
        if len(same) > 1:
            raise UsageError(
                f"{' and '.join(map(repr, same))} have the same name {shown_path(Path(name).stem)!r}; "
                "alternatives are named by their file's stem (or name, where stems are the same), so "
                "rename one"
            )
    cases, problems = [], []
    for path in paths:
        if isinstance(path, Case):  # a case workbook the caller read (somrisk.cli.inputs)
            cases.append(path)
            continue
        try:
            cases.append(load_case(path))
        except CaseError as error:
            problems.extend(error.problems)
    if problems:
        raise CaseError(problems)
    return cases, names

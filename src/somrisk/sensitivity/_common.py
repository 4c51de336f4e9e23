"""What every sensitivity analysis shares: the output analysed, inputs set to chosen values, groups.

The analyses evaluate the compiled case (:class:`somrisk.engine.Model`) on designed input values
through :func:`somrisk.engine.evaluate`; this module turns "input X at value x, every other input
at its base value" into the arrays that function takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from somrisk.case import Case, load_case
from somrisk.engine import Model, evaluate, prepare
from somrisk.errors import UsageError
from somrisk.sampling.correlation import connected_sets

__all__ = [
    "BaseRows",
    "Grouping",
    "Output",
    "as_model",
    "get_input",
    "grouping",
    "select_output",
    "set_input",
]

#: The output every analysis uses unless another is asked for: the NPV summed over actors.
TOTAL = "npv"


def as_model(case: Case | Model | str | Path) -> Model:
    """The compiled case: a Model as it is, a Case compiled, a path loaded and compiled."""
    if isinstance(case, Model):
        return case
    return prepare(case if isinstance(case, Case) else load_case(case))


@dataclass(frozen=True, eq=False)
class Output:
    """The model output an analysis looks at: the total NPV or one actor's NPV.

    `weights` (A,) turns the NPV per actor (n, A) into the output (n,).
    """

    name: str
    weights: np.ndarray

    def of(self, npv: np.ndarray) -> np.ndarray:
        """The output of each row of an NPV-per-actor array (n, A), in the case's currency."""
        return npv @ self.weights


def select_output(model: Model, output: str = TOTAL) -> Output:
    """``"npv"`` (the total over actors) or ``"npv:<actor>"`` for one actor's NPV.

    Raises
    ------
    UsageError
        For any other name, listing the outputs the case has.
    """
    actors = model.case.actors
    allowed = [TOTAL, *(f"npv:{a}" for a in actors)]
    if output in (TOTAL, "npv:total"):
        return Output(TOTAL, np.ones(len(actors)))
    if output in allowed:
        weights = np.zeros(len(actors))
        weights[actors.index(output.split(":", 1)[1])] = 1.0
        return Output(output, weights)
    raise UsageError(f"output {output!r} is not an output of this case; allowed: {', '.join(allowed)}")


class BaseRows:
    """Rows of input values with every input at its base value, and ways to move one input.

    The deterministic run's values: uncertain inputs at their base value (their columns), and the
    inputs that are not uncertain at theirs (the constants).
    """

    def __init__(self, model: Model) -> None:
        self.model = model
        space = model.space
        self.constants = space.base_values
        self.base = self.constants[list(space.uncertain)]
        self.paths = [spec.path for spec in space.inputs]

    def rows(self, n: int) -> np.ndarray:
        """n rows of the uncertain inputs' base values (n, d)."""
        return np.repeat(self.base[None, :], n, axis=0)

    def npv(self, values: np.ndarray, constants: np.ndarray | None = None, threads: int | None = None):
        """NPV per actor (n, A) of rows of values, the other inputs at their base values."""
        return evaluate(
            self.model,
            values,
            constants=self.constants if constants is None else constants,
            threads=threads,
        )

    def vary(self, path: str, xs: np.ndarray, threads: int | None = None) -> np.ndarray:
        """NPV per actor (len(xs), A) with input `path` at each value of `xs`, every other input at
        its base value. `path` may name a fixed input too."""
        xs = np.asarray(xs, dtype=float)
        if self.paths.index(path) in self.model.space.uncertain:
            values = self.rows(xs.size)
            set_input(self.model, path, xs, values, self.constants)
            return self.npv(values, threads=threads)
        return np.concatenate([self.at({path: float(x)}) for x in xs]) if xs.size else np.empty((0, 0))

    def at(
        self,
        settings: dict[str, float],
        values: np.ndarray | None = None,
        constants: np.ndarray | None = None,
        threads: int | None = None,
    ) -> np.ndarray:
        """NPV per actor of rows of `values` (default: one row of base values) and `constants`
        (default: base values), with the inputs named in `settings` set to the given values."""
        values = self.rows(1) if values is None else values.copy()
        constants = (self.constants if constants is None else constants).copy()
        for path, x in settings.items():
            set_input(self.model, path, x, values, constants)
        return self.npv(values, constants, threads)


def _column(model: Model, path: str) -> tuple[int, int | None]:
    """Position of input `path` among all inputs, and its column of the draws (None if fixed)."""
    position = [spec.path for spec in model.space.inputs].index(path)
    uncertain = model.space.uncertain
    return position, uncertain.index(position) if position in uncertain else None


def set_input(
    model: Model, path: str, x: float | np.ndarray, values: np.ndarray, constants: np.ndarray
) -> None:
    """Set input `path` to `x` in rows of `values` (n, d) if it is uncertain, else in `constants`
    (where `x` must be one number: a fixed input is one constant of the kernel for all rows)."""
    position, column = _column(model, path)
    if column is not None:
        values[:, column] = x
    else:
        constants[position] = float(x)


def get_input(model: Model, path: str, values: np.ndarray, constants: np.ndarray) -> np.ndarray:
    """The value of input `path` in each row of `values` (n, d): its column if it is uncertain,
    else its constant."""
    position, column = _column(model, path)
    return values[:, column] if column is not None else np.full(values.shape[0], constants[position])


@dataclass(frozen=True)
class Grouping:
    """How the uncertain inputs are gathered for an analysis.

    Attributes
    ----------
    labels : tuple of str
        The group of each uncertain input (``space.paths`` order); an input on its own is its own
        group, named by its path.
    names : tuple of str
        The distinct groups, in order of their first input.
    merged : tuple of str
        Groups formed by joining correlated inputs (or the groups they belong to): Sobol and Morris
        assume independent inputs, so each correlated set is analysed as one.
    """

    labels: tuple[str, ...]
    names: tuple[str, ...]
    merged: tuple[str, ...]

    @property
    def trivial(self) -> bool:
        """True when every input is its own group."""
        return len(self.names) == len(self.labels)

    def members(self, name: str) -> list[int]:
        return [j for j, label in enumerate(self.labels) if label == name]


def grouping(model: Model, by_group: bool, merge_correlated: bool = True) -> Grouping:
    """Inputs one by one (`by_group` False) or in their groups (the default groups effect,
    persistence, costs, consequences, prices, participants, economy), with correlated sets merged
    into one group where `merge_correlated`."""
    space = model.space
    labels = list(space.groups if by_group else space.paths)
    order = list(dict.fromkeys(labels))  # groups and inputs keep their order when merged
    merged: list[str] = []
    if merge_correlated and space.correlated:
        for members in connected_sets(space.rank_correlation):
            parts = {part for m in members for part in labels[space.correlated[m]].split(" + ")}
            if len(parts) < 2:
                continue
            name = " + ".join(sorted(parts, key=order.index))
            labels = [name if set(label.split(" + ")) <= parts else label for label in labels]
            merged.append(name)
    names = tuple(dict.fromkeys(labels))
    return Grouping(tuple(labels), names, tuple(m for m in dict.fromkeys(merged) if m in names))

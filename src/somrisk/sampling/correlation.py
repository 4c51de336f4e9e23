"""Rank correlations imposed on uniforms with the Iman-Conover method.

Iman and Conover (1982) reorder each column of a sample so that its ranks follow those of a matrix
of normal scores with the wanted correlation. Only the order of values within a column changes, so
each column keeps exactly its marginal values: a Latin hypercube stays stratified and a Sobol column
keeps its points. The method works block by block, with the block's own random stream.

Designed samples (the Saltelli and Morris designs of the sensitivity analyses) need a map that works
row by row instead, so that rows the design copies from each other stay copies: :class:`GaussianCopula`
maps each row's uniforms to normal scores, correlates them, and maps them back.

The case gives Spearman rank correlations. The normal scores get the Pearson correlation
``2 sin(pi rho_s / 6)``, whose Spearman correlation for a bivariate normal is ``rho_s``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["GaussianCopula", "ImanConover", "connected_sets", "pearson_for_spearman"]


def pearson_for_spearman(rank: np.ndarray) -> np.ndarray:
    """Pearson correlation of normal scores whose Spearman correlation is `rank`.

    The result can lose positive semi-definiteness by rounding or by the non-linear map; it is then
    moved to the nearest matrix with non-negative eigenvalues and a unit diagonal.
    """
    target = 2.0 * np.sin(np.pi * np.asarray(rank, dtype=float) / 6.0)
    np.fill_diagonal(target, 1.0)
    values, vectors = np.linalg.eigh(target)
    if values.min() >= 0:
        return target
    repaired = (vectors * np.clip(values, 0.0, None)) @ vectors.T
    scale = np.sqrt(np.diag(repaired))
    return repaired / np.outer(scale, scale)


def _square_root(matrix: np.ndarray) -> np.ndarray:
    """A matrix L with L @ L.T == matrix (Cholesky, or eigen-decomposition when singular)."""
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(matrix)
        return vectors * np.sqrt(np.clip(values, 0.0, None))


class ImanConover:
    """Impose a rank correlation matrix on some columns of blocks of uniforms.

    Parameters
    ----------
    columns : sequence of int
        The columns that take part.
    rank_correlation : ndarray, shape (k, k)
        The target Spearman correlations among `columns` (positive semi-definite, checked by the
        case loader).
    """

    def __init__(self, columns: tuple[int, ...], rank_correlation: np.ndarray) -> None:
        self.columns = np.asarray(columns, dtype=np.intp)
        self.factor = _square_root(pearson_for_spearman(rank_correlation)) if len(columns) else None

    def apply(self, u: np.ndarray, rng: np.random.Generator) -> None:
        """Reorder the columns of `u` (n, d) in place.

        A block with fewer rows than k + 2 is left as it is: its scores cannot carry k
        independent directions.
        """
        n, k = u.shape[0], self.columns.size
        if k == 0 or n < k + 2:
            return
        scores = special.ndtri(np.arange(1, n + 1) / (n + 1.0))
        permuted = rng.permuted(np.broadcast_to(scores, (k, n)), axis=1).T
        # whiten the scores' own sample correlation, then give them the target one
        own = _square_root(np.corrcoef(permuted, rowvar=False))
        target = permuted @ np.linalg.pinv(own).T @ self.factor.T
        for j, column in enumerate(self.columns):
            order = np.argsort(target[:, j], kind="stable")
            values = np.sort(u[:, column])
            u[order, column] = values


class GaussianCopula:
    """Impose a rank correlation on some columns of uniforms, row by row (a Gaussian copula).

    Each row is transformed on its own: z = Phi^-1(u) on the `columns`, z' = L z with L L^T the
    Pearson correlation of :func:`pearson_for_spearman`, u' = Phi(z'). Independent uniform rows become
    rows with the target rank correlation, and a row's result depends on that row alone. Each
    connected set of correlated columns gets its own factor L, so a column's result depends only on
    the columns of its own set (what grouped Sobol indices need).
    """

    def __init__(self, columns: tuple[int, ...], rank_correlation: np.ndarray) -> None:
        columns_array = np.asarray(columns, dtype=np.intp)
        pearson = pearson_for_spearman(rank_correlation) if len(columns) else np.zeros((0, 0))
        self.sets = [
            (columns_array[members], _square_root(pearson[np.ix_(members, members)]))
            for members in connected_sets(rank_correlation)
            if members.size > 1
        ]

    def apply(self, u: np.ndarray) -> None:
        """Transform the columns of `u` (n, d) in place."""
        for columns, factor in self.sets:
            scores = special.ndtri(u[:, columns])
            u[:, columns] = special.ndtr(scores @ factor.T)


def connected_sets(matrix: np.ndarray) -> list[np.ndarray]:
    """The sets of indices linked by non-zero off-diagonal entries of a square matrix, in order of
    their first member."""
    k = matrix.shape[0]
    label = list(range(k))

    def root(i: int) -> int:
        while label[i] != i:
            i = label[i]
        return i

    for i, j in zip(*np.nonzero(matrix), strict=True):
        a, b = root(int(i)), root(int(j))
        if a != b:
            label[max(a, b)] = min(a, b)
    roots = [root(i) for i in range(k)]
    return [np.flatnonzero(np.array(roots) == r) for r in sorted(set(roots))]

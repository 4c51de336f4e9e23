"""Point labels of the screening charts (report.charts.place_labels): no label covers another, and
every label stays inside the axes, even where the points crowd one corner (the Morris chart)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from somrisk.report.charts import _figure, place_labels


def _boxes(ax):
    from matplotlib.text import Annotation

    renderer = ax.figure.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in ax.texts if isinstance(a, Annotation) and a.get_text()]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_labels_of_crowded_points_neither_overlap_nor_leave_the_axes(seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(0, 1.5, 20), [9.0, 10.0, 27.0]])  # a crowded corner, a few far
    y = np.concatenate([rng.uniform(0, 2.0, 20), [5.0, 0.0, 10.0]])
    fig = _figure(8, 6)
    ax = fig.add_subplot()
    ax.scatter(x, y)
    ax.set_xlim(-1, 28)
    ax.set_ylim(-1, 26)
    named = np.argsort(-x)[:8]
    texts = [f"Input {k}: a label of a consequence\nover two lines" for k in named]
    place_labels(ax, x[named], y[named], texts, (x, y))
    fig.canvas.draw()
    boxes = _boxes(ax)
    assert len(boxes) == 8
    frame = ax.get_window_extent(fig.canvas.get_renderer())
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_a_label_that_fits_beside_its_point_stays_there():
    fig = _figure(8, 6)
    ax = fig.add_subplot()
    ax.scatter([5.0], [5.0])
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    place_labels(ax, np.array([5.0]), np.array([5.0]), ["alone"], (np.array([5.0]), np.array([5.0])))
    (label,) = [a for a in ax.texts if a.get_text()]
    assert label.xyann == (4.2, 4.2)  # the first place tried: up and to the right, no line
    assert len(ax.texts) == 1

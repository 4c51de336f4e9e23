"""Issue 15: "The cube, the JSON and the workbook agree on the undiscounted and per-participant
figures". One run writes the .nc cube and the results workbook, a second prints the JSON (same seed
and draws); SØM's figures computed from the cube's draws equal the JSON's and the workbook's.

The workbook is read by looking up its labels, never fixed cells (its layout is being rewritten);
where the labels change, adapt WORKBOOK_LABELS only.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from openpyxl import load_workbook

from somrisk.testing import minimal_case

CASE = (
    minimal_case(
        cohorts='[{ dist = "pert", min = 5, mode = 10, max = 20 }, 8, { dist = "uniform", min = 4, max = 9 }]',
        discount_rate="0.035",
        effect='{ dist = "normal", mean = 0.15, sd = 0.05 }',
        persistence="[persistence]\nonset = 1\nwindow = 3",
        consequences='[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 9000, stat = 4000 }\n'
        'during = { dist = "uniform", min = -0.5, max = 0.0 }\nprice_year = 2019\n',
        costs='[[costs]]\nname = "forloeb"\nactor = "kommune"\nkind = "per_participant"\namount = 3000\n',
    )
    .replace("horizon = 5", 'horizon = "auto"')
    .replace("price_year = 2024", "price_year = 2023")
)

#: workbook figure -> the label of its row (first cell) and of its column (header cell, or None
#: where the number stands right of the label)
#: (the English workbook, `--lang en`; a row label is matched by its start, as it names the horizon)
WORKBOOK_LABELS = {
    "net_total_mean_total": ("Net result over 6 years, undiscounted, in total", "Mean"),
    "npv_per_participant_mean": ("Net present value per participant", "Mean"),
    "net_total_per_participant_mean": ("Net result over 6 years per participant", "Mean"),
    "benefit_cost_ratio_mean": ("Return per krone invested", "Mean"),
}


def workbook_figure(book, row_label: str, column_label: str | None) -> float:
    """The number in the row labelled `row_label`, in the column headed `column_label` (the header
    nearest above it) or else the first number right of the label; searched in every sheet."""
    for sheet in book.worksheets:
        header: tuple = ()
        for row in sheet.iter_rows(values_only=True):
            if column_label in row:
                header = row
            if row and isinstance(row[0], str) and row[0].startswith(row_label):
                if column_label is None:
                    return next(float(v) for v in row[1:] if isinstance(v, int | float))
                if column_label in header:
                    return float(row[header.index(column_label)])
    raise AssertionError(f"no cell labelled {row_label!r} / {column_label!r} in the workbook")


def test_cube_json_and_workbook_agree_on_soms_figures(cli, write_case, tmp_path):
    path = write_case(CASE)
    nc, xlsx = tmp_path / "cube.nc", tmp_path / "results.xlsx"
    options = ("--draws", "400", "--seed", "4")
    assert cli("run", path, *options, "--out", nc, "--xlsx", xlsx, "--lang", "en").code == 0
    result = cli("run", path, *options, "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    with xr.open_dataset(nc) as cube:
        cube.load()
    assert cube.sizes["year"] == 2 + 1 + 3  # horizon "auto": last intake 2 + onset 1 + window 3

    inputs = cube.inputs
    participants = (
        inputs.sel(input="participants.cohorts.0").values
        + 8
        + inputs.sel(input="participants.cohorts.2").values
    )
    net_total = cube.net.sum(["year", "actor"]).values
    npv = cube.npv.sum("actor").values
    beta = cube.discount_factor
    bcr = float((cube.gains * beta).sum(["year", "actor", "consequence"]).mean()) / float(
        (cube.costs * beta).sum(["year", "actor"]).mean()
    )
    from_cube = {
        "net_total_mean_total": float(net_total.mean()),
        "npv_per_participant_mean": float(np.mean(npv / participants)),
        "net_total_per_participant_mean": float(np.mean(net_total / participants)),
        "benefit_cost_ratio_mean": bcr,
    }
    from_json = {
        "net_total_mean_total": document["net_total"]["total"]["mean"],
        "npv_per_participant_mean": document["per_participant"]["npv"]["mean"],
        "net_total_per_participant_mean": document["per_participant"]["net_total"]["mean"],
        "benefit_cost_ratio_mean": document["benefit_cost_ratio"],
    }
    book = load_workbook(xlsx, read_only=True)
    for figure, expected in from_cube.items():
        assert from_json[figure] == pytest.approx(expected, rel=1e-9), figure
        assert workbook_figure(book, *WORKBOOK_LABELS[figure]) == pytest.approx(expected, rel=1e-9), figure
    assert document["net_total"]["total"]["p50"] == pytest.approx(float(np.median(net_total)), rel=1e-9)

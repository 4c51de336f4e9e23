"""model.md's warnings appear exactly when their conditions hold, in every output that lists them."""

from __future__ import annotations

import pytest

from somrisk import parse_case, simulate, summarize
from somrisk.case.model_warnings import model_warnings
from somrisk.io import summary_json
from somrisk.testing import minimal_case

FLAT = '[[consequences]]\nname = "k"\nchange = -1.0\nprice = { kommune = 1000 }\n'
PROFILED = FLAT + "profile = [0.5, 1.0]\n"


def codes(text: str) -> list[str]:
    return [w.code for w in model_warnings(parse_case(text))]


@pytest.mark.parametrize(
    ("horizon", "cohorts", "onset", "window", "cut"),
    [
        (10, "[5, 5, 5]", 0, 10, "3 of 30"),  # cohorts in years 0, 1, 2: 0 + 1 + 2 years cut
        (10, "[5, 5, 5]", 1, 10, "6 of 30"),  # a one-year course: 1 + 2 + 3
        (12, "[5, 5, 5]", 0, 10, None),  # the last window ends in year 11
        (12, "[5, 5, 5]", 1, 10, "1 of 30"),  # the last window ends in year 12
        (13, "[5, 5, 5]", 1, 10, None),
        (5, "[5]", 0, 3, None),
        (5, "[5, 5]", 2, 3, "1 of 6"),
        (40, "[5, 5]", 0, 50, "21 of 100"),  # no horizon can hold it: shorten the window
    ],
)
def test_the_window_cut_warning_counts_the_cohort_years_cut_off(horizon, cohorts, onset, window, cut):
    persistence = f"[persistence]\nonset = {onset}\nwindow = {window}\n"
    warnings = model_warnings(
        parse_case(minimal_case(horizon=horizon, cohorts=cohorts, persistence=persistence, consequences=FLAT))
    )
    if cut is None:
        assert warnings == ()
    else:
        (warning,) = warnings
        assert warning.code == "window_cut" and f"{cut} cohort-years" in warning.en
        assert cut.replace("of", "af") + " holdår" in warning.da


def test_no_window_no_window_warning():
    assert codes(minimal_case(horizon=3, cohorts="[5, 5, 5]", consequences=FLAT)) == []


@pytest.mark.parametrize(
    ("persistence", "consequences", "warned"),
    [
        ("[persistence]\ndecay = 0.2", PROFILED, True),
        ('[persistence]\ndecay = { dist = "uniform", min = 0.1, max = 0.3 }', PROFILED, True),
        ("[persistence]\nfull_years = 2", PROFILED, True),  # the effect ends after 2 of 5 years
        ("[persistence]\nfull_years = 9", PROFILED, False),  # outlasts the horizon
        ("[persistence]\ndecay = 0.2", FLAT, False),  # no year-by-year consequence profile
        ("[persistence]\ndecay = 0.2", FLAT + "profile = [0.7]\n", False),  # one value: a level
        ("[persistence]\ndecay = 0.0", PROFILED, False),
        ("[persistence]\nfull_years = 2\ndecay = 0.0", PROFILED, False),  # decay 0: nothing fades
        ("[persistence]\nprofile = [1.0, 0.5]", PROFILED, True),  # a falling explicit profile fades too
        ("[persistence]\nprofile = [0.5, 1.0]", PROFILED, False),  # a phase-in: nothing fades
        ("[persistence]\nprofile = [0.8]", PROFILED, False),  # a level
        ("[persistence]\nfull_years = 9\ndecay = 0.2", PROFILED, False),  # decay after the horizon
        ("[persistence]\nwindow = 3", PROFILED, False),  # a window ends the effect, it does not fade it
        ("", PROFILED, False),  # no persistence layer: full effect, SØM's way
    ],
)
def test_the_relapse_warning_holds_exactly_when_both_fade(persistence, consequences, warned):
    text = minimal_case(persistence=persistence, consequences=consequences)
    assert codes(text) == (["relapse_twice"] if warned else [])


def test_warnings_reach_the_json_the_check_and_the_run(cli, tmp_path):
    text = minimal_case(
        horizon=10,
        cohorts="[5, 5, 5]",
        persistence="[persistence]\nwindow = 10\ndecay = 0.1",
        consequences=PROFILED,
    )
    document = summary_json(summarize(simulate(parse_case(text), draws=10)))
    assert len(document["warnings"]) == 2
    assert document["warnings"][0].startswith("the horizon (10 years) ends before")
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    checked = cli("check", path)
    assert checked.code == 0 and checked.stdout.count("warning:") == 2
    ran = cli("run", path, "--draws", "10")
    assert ran.code == 0 and " ".join(ran.stdout.split()).count("warning:") == 2


def test_a_window_cut_that_no_horizon_can_mend_says_so():
    persistence = "[persistence]\nwindow = 50"
    (warning,) = model_warnings(
        parse_case(minimal_case(horizon=40, cohorts="[5, 5]", persistence=persistence, consequences=FLAT))
    )
    assert "a horizon of 51 years would be needed (at most 50): shorten the window" in warning.en
    assert "set horizon" not in warning.en


def test_auto_with_a_bad_persistence_reports_only_the_persistence(tmp_path):
    from somrisk.errors import CaseError

    text = minimal_case(persistence="[persistence]\nonset = -1\nwindow = 3", consequences=FLAT)
    with pytest.raises(CaseError) as caught:
        parse_case(text.replace("horizon = 5", 'horizon = "auto"'))
    assert [p.key_path for p in caught.value.problems] == ["persistence.onset"]


def test_warnings_are_recorded_in_the_cube(tmp_path):
    import xarray as xr

    from somrisk.runner import run

    text = minimal_case(
        horizon=3, cohorts="[5, 5]", persistence="[persistence]\nwindow = 3", consequences=FLAT
    )
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    with xr.open_dataset(run(path, draws=10, out=tmp_path / "cube.nc").out, engine="h5netcdf") as cube:
        assert cube.attrs["warnings"].startswith("the horizon (3 years) ends before")
    path.write_text(text.replace("horizon = 3", "horizon = 4"), encoding="utf-8")
    with xr.open_dataset(run(path, draws=10, out=tmp_path / "cube4.nc").out, engine="h5netcdf") as cube:
        assert cube.attrs["warnings"] == ""

"""The cube's metadata, as readers that are not xarray see it: long_name and units on every variable
and coordinate, money in the case's currency with the price year in its own attribute, Conventions."""

from __future__ import annotations

import tomllib

import pytest

from somrisk import example_case_path
from somrisk.runner import run

MONEY = ("gains", "costs", "net", "npv")


@pytest.fixture(scope="module")
def case_info():
    """The example case's currency and price level, from its TOML file."""
    info = tomllib.loads(example_case_path().read_text(encoding="utf-8"))["case"]
    return info.get("currency", "DKK"), info["price_year"]


@pytest.fixture(scope="module")
def netcdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("cube") / "cube.nc"
    run(example_case_path(), draws=200, seed=3, out=path)
    return path


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def test_h5py_sees_long_name_and_units_on_every_variable_and_coordinate(netcdf, case_info):
    import h5py

    currency, price_year = case_info
    with h5py.File(netcdf, "r") as file:
        assert text(file.attrs["Conventions"]) == "CF-1.10"
        assert text(file.attrs["title"]).startswith("somrisk result cube: ")
        names = set(file)
        assert {"draw", "year", "actor", "consequence", "input", *MONEY, "discount_factor", "inputs"} <= names
        for name in names:
            attrs = file[name].attrs
            assert text(attrs["long_name"]), name
            assert text(attrs["units"]), name
        for name in MONEY:
            assert text(file[name].attrs["units"]) == currency
            assert int(file[name].attrs["price_year"][0]) == price_year
        assert text(file["discount_factor"].attrs["units"]) == "1"


def test_h5netcdfs_own_api_sees_them_too(netcdf, case_info):
    import h5netcdf

    currency, _ = case_info
    with h5netcdf.File(netcdf, "r") as file:
        assert file.attrs["Conventions"] == "CF-1.10"
        for name, variable in file.variables.items():
            assert "long_name" in variable.attrs and "units" in variable.attrs, name
        assert file.variables["npv"].attrs["units"] == currency
        assert file.variables["year"].attrs["long_name"].startswith("calendar year")


def test_a_zarr_cube_has_them(tmp_path, case_info):
    import zarr

    currency, price_year = case_info
    path = tmp_path / "cube.zarr"
    run(example_case_path(), draws=200, seed=3, out=path)
    group = zarr.open_group(str(path), mode="r")
    assert group.attrs["Conventions"] == "CF-1.10" and group.attrs["seed"] == 3
    for name in ("npv", "net", "draw", "year", "actor"):
        assert "long_name" in group[name].attrs and "units" in group[name].attrs, name
    assert group["net"].attrs["units"] == currency and group["net"].attrs["price_year"] == price_year

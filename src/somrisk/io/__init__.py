"""Stage 10: files out: the cube (netCDF, Zarr) and the JSON summary."""

from somrisk.io.json import catalog_json, portfolio_json, summary_json
from somrisk.io.store import CubeWriter, check_output, cube_format

__all__ = ["CubeWriter", "catalog_json", "check_output", "cube_format", "portfolio_json", "summary_json"]

"""The sensitivity JSON of outputs.md ("Sensitivity JSON"): one writer for every analysis.

Each result class declares its keys (:mod:`somrisk.labelled`): the keys of outputs.md come first,
unchanged; keys added after them give what a program needs to read the numbers right (whether an
index is distinguishable from 0, groups merged because their inputs are correlated, the design's
size). Numbers that are not defined are null. The names below are the one writer,
:func:`somrisk.io.labelled_json.labelled_json`, under each analysis's name.
"""

from __future__ import annotations

from somrisk.io.labelled_json import labelled_json

__all__ = ["breakeven_json", "drivers_json", "morris_json", "sobol_json", "tornado_json", "voi_json"]

tornado_json = sobol_json = morris_json = breakeven_json = voi_json = drivers_json = labelled_json

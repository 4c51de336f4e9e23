"""Stage 1: a case file on disk -> a validated, immutable :class:`Case`."""

from somrisk.case.inputs import GROUPS, InputSpec, case_inputs, inputs_of
from somrisk.case.load import Case, load_case, parse_case

__all__ = ["GROUPS", "Case", "InputSpec", "case_inputs", "inputs_of", "load_case", "parse_case"]

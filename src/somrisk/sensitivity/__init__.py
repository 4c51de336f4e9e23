"""Stage 9 (beside the summaries): sensitivity and decision analyses of a case.

Each analysis re-evaluates the compiled case through :mod:`somrisk.engine` and returns a frozen
result object: :func:`tornado` (with switching values), :func:`sobol` and :func:`morris` (via SALib),
:func:`breakeven`, :func:`voi` (EVPI and EVPPI), :func:`evsi` (the value of a study) and
:func:`drivers` (what separates losing draws).
"""

from somrisk.sensitivity.breakeven import Breakeven, breakeven
from somrisk.sensitivity.drivers import Drivers, drivers
from somrisk.sensitivity.evsi import SampleInformation, evsi
from somrisk.sensitivity.morris import MorrisResult, morris
from somrisk.sensitivity.sobol import SobolResult, distinguishable, sobol
from somrisk.sensitivity.tornado import Tornado, TornadoBar, tornado
from somrisk.sensitivity.voi import ValueOfInformation, evpi, evppi, voi

__all__ = [
    "Breakeven",
    "Drivers",
    "MorrisResult",
    "SampleInformation",
    "SobolResult",
    "Tornado",
    "TornadoBar",
    "ValueOfInformation",
    "breakeven",
    "distinguishable",
    "drivers",
    "evpi",
    "evppi",
    "evsi",
    "morris",
    "sobol",
    "tornado",
    "voi",
]

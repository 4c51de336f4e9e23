"""What the API and the pages both do: store an upload, start a run, and make a run's files.

The report and the results workbook of a run are made on first request by running the stored case
again with the run's seed, draws and sampler (the same numbers, bit for bit), and kept in the data
folder under names somrisk makes from the run's identifier.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from somrisk.case.overrides import Overrides
from somrisk.errors import CaseError
from somrisk.runner import report, run
from somrisk.serve.comparing import comparison_file, read_comparison
from somrisk.serve.overrides import KINDS, api_problems, shape_problems
from somrisk.serve.runs import SCENARIOS, RunQueue, case_of_run
from somrisk.serve.settings import Settings
from somrisk.serve.store import CaseRecord, RunRecord, Store, valid_id
from somrisk.serve.uploads import read_upload

__all__ = ["Invalid", "Service"]

SAMPLERS = ("lhs", "mc", "sobol")
LANGUAGES = ("da", "en")
_BODY_KEYS = ("draws", "seed", "sampler", "set", "scale", "base", "scenarios")
_SETTINGS = ("draws", "seed", "sampler")
_MAX_SEED = 2**63 - 1


class Invalid(Exception):
    """A request whose content is wrong (422); `errors` as ``{"where", "message"}`` each."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['where']}: {e['message']}" for e in errors))


@dataclass
class Service:
    """The store, the run queue and the folder of made files of one server."""

    settings: Settings

    def __post_init__(self) -> None:
        self.store = Store(self.settings.data)
        self.queue = RunQueue(self.store, self.settings, on_done=self._prepare)
        self.files = self.settings.data / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self._making = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._preparing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="somrisk-report")

    def close(self) -> None:
        """Stop the runs (each marked failed) and the reports being made in the background."""
        self.queue.shutdown()
        self._preparing.shutdown(wait=True, cancel_futures=True)

    def _prepare(self, record: RunRecord) -> None:
        """Make a small finished run's Danish report in the background (the first page asks for it)."""
        if record.draws <= self.settings.prepare_reports:
            self._preparing.submit(self._quietly, record)

    def _quietly(self, record: RunRecord) -> None:
        with contextlib.suppress(Exception):  # asked for later, the same error is answered then
            self.report_file(record, "da")

    def add_case(self, filename: str | None, data: bytes) -> CaseRecord:
        """Validate and store an upload (raises uploads.Refused or uploads.TooLarge)."""
        upload = read_upload(filename, data)
        return self.store.add_case(
            upload.name, upload.toml, upload.sha256, upload.uploaded_as, upload.warnings
        )

    def start_run(
        self, case: CaseRecord, body: Any, *, base_run: str | None = None, scenarios: bool = False
    ) -> RunRecord:
        """Check a run's body (outputs.md) and queue it.

        Besides outputs.md's keys the body may name a ``base`` (a finished run of the case: the run is
        then a what-if compared with it on common random numbers, with its draws, seed and sampler) or
        ask for ``scenarios`` (true: the run of the case is followed by the comparison of the case
        with its ``[[scenarios]]``, ``somrisk scenarios``); `base_run` and `scenarios` are their
        defaults.

        Raises
        ------
        Invalid
            With every problem of the body, its what-ifs included (the edited case is validated).
        runs.Busy
            Where the queue is full.
        """
        if not isinstance(body, dict):
            raise Invalid([{"where": "body", "message": "must be a JSON object"}])
        errors = [
            {"where": key, "message": f"is not a key of a run; the keys are {', '.join(_BODY_KEYS)}"}
            for key in body
            if key not in _BODY_KEYS
        ]
        base_run, scenarios = body.get("base", base_run), body.get("scenarios", scenarios)
        base, base_errors = self._base(case, base_run, scenarios)
        errors += base_errors
        plain = (10_000, 1, "lhs") if base is None else (base.draws, base.seed, base.sampler)
        draws, seed, sampler = (body.get(key, given) for key, given in zip(_SETTINGS, plain, strict=True))
        if base is not None:  # compared with the base's own numbers: its draws, seed and sampler
            errors += [
                {"where": key, "message": f"must be the base run's ({given!r}) or left out, not {value!r}"}
                for key, value, given in zip(_SETTINGS, (draws, seed, sampler), plain, strict=True)
                if value != given
            ]
        if not _whole(draws) or not 1 <= draws <= self.settings.max_draws:
            errors.append(
                {
                    "where": "draws",
                    "message": f"must be a whole number from 1 to {self.settings.max_draws:,}, not {draws!r}",
                }
            )
        if not _whole(seed) or not 0 <= seed <= _MAX_SEED:
            errors.append(
                {"where": "seed", "message": f"must be a whole number from 0 to 2^63-1, not {seed!r}"}
            )
        if sampler not in SAMPLERS:
            errors.append(
                {"where": "sampler", "message": f"must be one of {', '.join(SAMPLERS)}, not {sampler!r}"}
            )
        errors += shape_problems(body)
        overrides = {} if errors else {key: dict(body[key]) for key in KINDS if body.get(key)}
        if overrides:
            try:  # the edited case must be valid too, as an edited file would be (the CLI's rules)
                case_of_run(case.toml, _plain_record(overrides))
            except CaseError as error:
                errors += api_problems(error, overrides)
            except (TypeError, ValueError):  # a value no case file can hold (a null, a list of tables)
                errors.append({"where": "set", "message": "holds a value a case file cannot hold"})
        if scenarios and not errors:
            errors += _scenarios_problems(case, overrides)
            overrides = {SCENARIOS: _scenario_changes(case)} if not errors else overrides
        if errors:
            raise Invalid(errors)
        return self.queue.submit(
            case.id,
            draws=draws,
            seed=seed,
            sampler=sampler,
            overrides=overrides,
            base_run=None if base is None else base.id,
        )

    def _base(
        self, case: CaseRecord, base_run: Any, scenarios: Any
    ) -> tuple[RunRecord | None, list[dict[str, str]]]:
        """The base run a what-if is compared with (None: no base), and the problems of `base` and
        `scenarios`."""
        errors = []
        if not isinstance(scenarios, bool):
            errors.append({"where": "scenarios", "message": f"must be true or false, not {scenarios!r}"})
        if base_run is None:
            return None, errors
        base = self.store.run(base_run) if isinstance(base_run, str) and valid_id(base_run) else None
        if base is None or base.case_id != case.id or base.status != "done":
            message = f"must be the id of a finished run of this case, not {base_run!r}"
            return None, [*errors, {"where": "base", "message": message}]
        if scenarios is True:
            errors.append({"where": "base", "message": "a run of the scenarios has no base run"})
        return base, errors

    def run_json(self, record: RunRecord) -> dict[str, Any]:
        """The JSON of ``GET /api/runs/{run}``."""
        import json

        live = self.queue.progress(record.id)
        answer: dict[str, Any] = {
            "status": record.status,
            "progress": live if live is not None else (1.0 if record.status == "done" else record.progress),
        }
        if record.status == "done" and record.summary is not None:
            answer["summary"] = json.loads(record.summary)
            compared = record.base_run or SCENARIOS in record.overrides
            if compared and (comparison := self.comparison(record)) is not None:
                answer["comparison"] = comparison
        if record.error is not None:
            answer["error"] = record.error
        return answer

    def comparison(self, record: RunRecord) -> dict[str, Any] | None:
        """A finished what-if's comparison with its base, or a scenarios run's comparison of the case
        with its scenarios (Comparison JSON); None for other runs."""
        return read_comparison(comparison_file(self.files, record.id))

    def report_file(self, record: RunRecord, lang: str) -> Path:
        """The committee report of a finished run, in `lang` (made on first request)."""
        target = self.files / f"{record.id}-report-{lang}.html"
        return self._made(
            target,
            lambda path: report(
                self._case(record),
                out=path,
                lang=lang,
                draws=record.draws,
                seed=record.seed,
                sampler=record.sampler,
                threads=self.settings.threads,
            ),
        )

    def workbook_file(self, record: RunRecord) -> Path:
        """The results workbook of a finished run (made on first request)."""
        target = self.files / f"{record.id}-results.xlsx"
        return self._made(
            target,
            lambda path: run(
                self._case(record),
                draws=record.draws,
                seed=record.seed,
                sampler=record.sampler,
                xlsx=path,
                threads=self.settings.threads,
            ),
        )

    def _case(self, record: RunRecord) -> Any:
        case = self.store.case(record.case_id)
        assert case is not None
        return case_of_run(case.toml, record)

    def _made(self, target: Path, make: Any) -> Path:
        with self._making:
            lock = self._locks.setdefault(target.name, threading.Lock())
        with lock:  # a second request for the same file waits for the first
            if not target.exists():
                make(target)
        return target


def _scenarios_problems(case: CaseRecord, overrides: dict[str, Any]) -> list[dict[str, str]]:
    if overrides:
        return [{"where": "scenarios", "message": "a run of the scenarios takes no set or scale"}]
    if not case_of_run(case.toml, _plain_record()).scenarios:
        return [{"where": "scenarios", "message": "the case has no [[scenarios]] (case-format.md)"}]
    return []


def _scenario_changes(case: CaseRecord) -> dict[str, list[str]]:
    """Each scenario of the case and its changes as the command line writes them (the run's history)."""
    return {
        s.name: list(Overrides(set=s.set, scale=s.scale).texts())
        for s in case_of_run(case.toml, _plain_record()).scenarios
    }


def _whole(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _plain_record(overrides: dict[str, Any] | None = None) -> RunRecord:
    """A run record that carries only what-ifs, to build a run's case before the run exists."""
    return RunRecord("", "", "", 0.0, 0, 0, "", overrides or {}, None, "", "", None, None, None, None)

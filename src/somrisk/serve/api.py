"""The HTTP API of outputs.md ("The browser app"), JSON unless said otherwise."""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from somrisk._version import __version__
from somrisk.serve.runs import Busy
from somrisk.serve.security import REPORT_POLICY
from somrisk.serve.service import LANGUAGES, Invalid, Service
from somrisk.serve.store import CaseRecord, RunRecord, valid_id
from somrisk.serve.uploads import Refused, TooLarge

__all__ = ["api_routes", "error"]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def _case(request: Request) -> CaseRecord | None:
    case_id = request.path_params["case"]
    return _service(request).store.case(case_id) if valid_id(case_id) else None


def _run(request: Request) -> RunRecord | None:
    run_id = request.path_params["run"]
    return _service(request).store.run(run_id) if valid_id(run_id) else None


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "version": __version__})


async def upload_file(request: Request) -> tuple[str | None, bytes] | JSONResponse:
    """The multipart field ``case`` of a request: its file name and bytes (or a 422)."""
    limit = request.app.state.service.settings.max_upload_bytes
    try:
        async with request.form(max_files=1, max_fields=8, max_part_size=limit) as form:
            field = form.get("case")
            if field is None or isinstance(field, str):
                return JSONResponse(
                    {
                        "errors": [
                            {"where": "case", "message": "send the case file in the multipart field 'case'"}
                        ]
                    },
                    status_code=422,
                )
            return field.filename, await field.read()
    except Exception:  # a body that is not multipart, or over the form's limits
        return JSONResponse(
            {
                "errors": [
                    {"where": "case", "message": "send a multipart/form-data body with the field 'case'"}
                ]
            },
            status_code=422,
        )


async def post_case(request: Request) -> Response:
    got = await upload_file(request)
    if isinstance(got, Response):
        return got
    try:
        case = await run_in_threadpool(_service(request).add_case, *got)
    except TooLarge as too_large:
        return error(413, str(too_large))
    except Refused as refused:
        return JSONResponse({"errors": refused.errors}, status_code=422)
    return JSONResponse({"id": case.id, "name": case.name, "warnings": case.warnings}, status_code=201)


async def get_case(request: Request) -> Response:
    case = _case(request)
    if case is None:
        return error(404, "no such case")
    return JSONResponse(case.api())


async def post_run(request: Request) -> Response:
    case = _case(request)
    if case is None:
        return error(404, "no such case")
    raw = await request.body()
    try:
        body: Any = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return JSONResponse({"errors": [{"where": "body", "message": "is not JSON"}]}, status_code=422)
    try:
        record = await run_in_threadpool(_service(request).start_run, case, body)
    except Invalid as invalid:
        return JSONResponse({"errors": invalid.errors}, status_code=422)
    except Busy as busy:
        return error(503, str(busy))
    return JSONResponse({"run": record.id}, status_code=202)


async def get_run(request: Request) -> Response:
    record = _run(request)
    if record is None:
        return error(404, "no such run")
    return JSONResponse(_service(request).run_json(record))


async def cancel_run(request: Request) -> Response:
    record = _run(request)
    if record is None:
        return error(404, "no such run")
    if not _service(request).queue.cancel(record.id):
        return error(409, f"the run is {record.status}; only a queued or running run can be cancelled")
    return JSONResponse({"run": record.id}, status_code=202)


def _finished(request: Request) -> RunRecord | Response:
    record = _run(request)
    if record is None:
        return error(404, "no such run")
    if record.status != "done":
        return error(409, f"the run is {record.status}; its files exist once it is done")
    return record


async def get_report(request: Request) -> Response:
    record = _finished(request)
    if isinstance(record, Response):
        return record
    lang = request.query_params.get("lang", "da")
    if lang not in LANGUAGES:
        return error(422, f"lang={lang}: the report is written in da or en")
    path = await run_in_threadpool(_service(request).report_file, record, lang)
    return FileResponse(
        path, media_type="text/html; charset=utf-8", headers={"content-security-policy": REPORT_POLICY}
    )


async def get_workbook(request: Request) -> Response:
    record = _finished(request)
    if isinstance(record, Response):
        return record
    path = await run_in_threadpool(_service(request).workbook_file, record)
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"somrisk-{record.id}.xlsx",
    )


def api_routes() -> list[Route]:
    return [
        Route("/health", health),
        Route("/api/cases", post_case, methods=["POST"]),
        Route("/api/cases/{case}", get_case),
        Route("/api/cases/{case}/runs", post_run, methods=["POST"]),
        Route("/api/runs/{run}", get_run),
        Route("/api/runs/{run}/cancel", cancel_run, methods=["POST"]),
        Route("/runs/{run}/report", get_report),
        Route("/runs/{run}/workbook", get_workbook),
    ]

"""The server-rendered pages (Jinja2, every text escaped): start, case, run and results, login.

Every form carries the CSRF token of the ``somrisk_csrf`` cookie; a post without it is refused
(403). The pages do what the API does through the same :class:`~somrisk.serve.service.Service`.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from somrisk.case import parse_case
from somrisk.case.model_warnings import model_warnings
from somrisk.errors import format_value
from somrisk.io.excel import export_case, write_template
from somrisk.labels import labels
from somrisk.report.i18n import Words
from somrisk.runner import example_case_path
from somrisk.serve.api import error
from somrisk.serve.charts import density_svg
from somrisk.serve.runs import SCENARIOS, Busy
from somrisk.serve.security import CSRF_COOKIE, SESSION_COOKIE, new_session
from somrisk.serve.service import SAMPLERS, Invalid, Service
from somrisk.serve.store import CaseRecord, valid_id
from somrisk.serve.uploads import Refused, TooLarge
from somrisk.serve.words import WORDS
from somrisk.space import build_space

__all__ = ["page_routes"]

_TEMPLATES = Environment(
    loader=FileSystemLoader(str(resources.files("somrisk.serve") / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
_LANG_COOKIE = "somrisk_lang"


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(_LANG_COOKIE, "da")
    return lang if lang in WORDS else "da"


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    html = _TEMPLATES.get_template(template).render(
        w=WORDS[lang],
        signed_in=SESSION_COOKIE in request.cookies,
        lang=lang,
        other="en" if lang == "da" else "da",
        csrf=csrf,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    secure = request.url.scheme == "https"
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure)
    if request.query_params.get("lang") in WORDS:
        response.set_cookie(_LANG_COOKIE, lang, httponly=True, samesite="strict", secure=secure)
    return response


async def _form(request: Request) -> Any:
    """The posted form, or None where its CSRF token is missing or not this browser's."""
    form = await request.form(
        max_files=1, max_fields=16, max_part_size=request.app.state.settings.max_upload_bytes
    )
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = form.get("csrf")
    if not cookie or not isinstance(given, str) or not secrets.compare_digest(given, cookie):
        await form.close()
        return None
    return form


def _csrf_refused() -> Response:
    return error(403, "the form has no valid CSRF token; open the page again and resend it")


def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def _case(request: Request) -> CaseRecord | None:
    case_id = request.path_params["case"]
    return _service(request).store.case(case_id) if valid_id(case_id) else None


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def start(request: Request) -> Response:
    return _page(request, "start.html", cases=_service(request).store.cases())


async def upload(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _csrf_refused()
    field = form.get("case")
    if field is None or isinstance(field, str) or not field.filename:
        return _page(
            request, "start.html", 422, cases=[], errors=[{"where": "case", "message": "choose a file"}]
        )
    data = await field.read()
    await form.close()
    try:
        case = await run_in_threadpool(_service(request).add_case, field.filename, data)
    except TooLarge as too_large:
        return error(413, str(too_large))
    except Refused as refused:
        return _page(request, "start.html", 422, cases=[], errors=refused.errors)
    return _see(f"/cases/{case.id}")


async def example(request: Request) -> Response:
    if await _form(request) is None:
        return _csrf_refused()
    data = example_case_path().read_bytes()
    case = await run_in_threadpool(_service(request).add_case, example_case_path().name, data)
    return _see(f"/cases/{case.id}")


async def template(request: Request) -> Response:
    data = await run_in_threadpool(_workbook_bytes, None)
    return _download(data, "somrisk-case-template.xlsx")


def _workbook_bytes(toml: str | None) -> bytes:
    """A blank case workbook (None) or the case workbook of a case's TOML, as bytes."""
    with tempfile.TemporaryDirectory(prefix="somrisk-export-") as folder:
        out = Path(folder) / "case.xlsx"
        if toml is None:
            write_template(out)
        else:
            source = Path(folder) / "case.toml"
            source.write_text(toml, encoding="utf-8")
            export_case(source, out)
        return out.read_bytes()


def _download(data: bytes, name: str, media: str | None = None) -> Response:
    media = media or "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


def _inputs(case_record: CaseRecord, lang: str) -> list[dict[str, Any]]:
    case = parse_case(case_record.toml.encode("utf-8"), source="case.toml")
    words = labels(case, lang)
    shown = []
    for index, spec in enumerate(build_space(case).inputs):
        value = spec.value
        uncertain = spec.is_uncertain
        text = value.describe() if hasattr(value, "describe") else f"{value:g}"
        shown.append(
            {"index": index, "path": spec.path, "label": words[spec.path], "text": text, "chart": uncertain}
        )
    return shown


def _warnings(case_record: CaseRecord, lang: str) -> list[str]:
    """The case's warnings in the page's language (the model's own have both; the others English)."""
    case = parse_case(case_record.toml.encode("utf-8"), source="case.toml")
    own = model_warnings(case)
    english = {w.en for w in own}
    return [w.text(lang) for w in own] + [text for text in case_record.warnings if text not in english]


def _scenarios(case_record: CaseRecord) -> list[dict[str, Any]]:
    """The case's ``[[scenarios]]``: each name and its changes (input path, ``set``/``scale``, value)."""
    case = parse_case(case_record.toml.encode("utf-8"), source="case.toml")
    return [
        {
            "name": s.name,
            "changes": [
                {"path": path, "kind": kind, "value": format_value(value)}
                for kind, given in (("set", s.set), ("scale", s.scale))
                for path, value in given.items()
            ],
        }
        for s in case.scenarios
    ]


async def case_page(request: Request) -> Response:
    case = _case(request)
    if case is None:
        return error(404, "no such case")
    lang = _lang(request)
    inputs = await run_in_threadpool(_inputs, case, lang)
    runs = _service(request).store.runs_of(case.id)
    return _page(
        request,
        "case.html",
        case=case,
        inputs=inputs,
        scenarios=await run_in_threadpool(_scenarios, case),
        runs=runs,
        samplers=SAMPLERS,
        warnings=_warnings(case, lang),
        f=Words(lang),
        labels={i["path"]: i["label"] for i in inputs},
    )


async def case_toml(request: Request) -> Response:
    case = _case(request)
    if case is None:
        return error(404, "no such case")
    return _download(case.toml.encode("utf-8"), f"case-{case.id}.toml", "application/toml; charset=utf-8")


async def case_xlsx(request: Request) -> Response:
    case = _case(request)
    if case is None:
        return error(404, "no such case")
    return _download(await run_in_threadpool(_workbook_bytes, case.toml), f"case-{case.id}.xlsx")


async def density(request: Request) -> Response:
    case = _case(request)
    index = request.path_params["index"]
    if case is None:
        return error(404, "no such case")
    loaded = parse_case(case.toml.encode("utf-8"), source="case.toml")
    inputs = build_space(loaded).inputs
    if not 0 <= index < len(inputs) or not inputs[index].is_uncertain:
        return error(404, "no such uncertain input")
    svg = await run_in_threadpool(density_svg, inputs[index].value)
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, max-age=3600"})


async def start_run(request: Request) -> Response:
    case = _case(request)
    if case is None:
        return error(404, "no such case")
    form = await _form(request)
    if form is None:
        return _csrf_refused()
    body: dict[str, Any] = {}
    for key in ("draws", "seed"):
        text = str(form.get(key, "")).strip()
        if text:
            body[key] = int(text) if text.isdigit() else text
    if form.get("sampler"):
        body["sampler"] = str(form["sampler"])
    base = str(form.get("base", ""))
    kind, path, value = (str(form.get(k, "")).strip() for k in ("kind", "input", "value"))
    if path and value:
        try:
            body[kind if kind in ("set", "scale") else "scale"] = {path: float(value.replace(",", "."))}
        except ValueError:
            body["scale"] = {path: value}
    service = _service(request)
    try:
        if base and valid_id(base) and (record := service.store.run(base)) is not None:
            base_body = {"draws": record.draws, "seed": record.seed, "sampler": record.sampler}
            run = await run_in_threadpool(service.start_run, case, {**body, **base_body}, base_run=base)
        elif form.get("scenarios"):
            run = await run_in_threadpool(lambda: service.start_run(case, body, scenarios=True))
        else:
            run = await run_in_threadpool(service.start_run, case, body)
    except Invalid as invalid:
        inputs = await run_in_threadpool(_inputs, case, _lang(request))
        return _page(
            request,
            "case.html",
            422,
            case=case,
            inputs=inputs,
            errors=invalid.errors,
            scenarios=await run_in_threadpool(_scenarios, case),
            runs=service.store.runs_of(case.id),
            samplers=SAMPLERS,
            warnings=_warnings(case, _lang(request)),
            f=Words(_lang(request)),
            labels={i["path"]: i["label"] for i in inputs},
        )
    except Busy as busy:
        return error(503, str(busy))
    return _see(f"/runs/{run.id}")


async def run_page(request: Request) -> Response:
    run_id = request.path_params["run"]
    service = _service(request)
    record = service.store.run(run_id) if valid_id(run_id) else None
    if record is None:
        return error(404, "no such run")
    case = service.store.case(record.case_id)
    summary = json.loads(record.summary) if record.summary else None
    base = service.store.run(record.base_run) if record.base_run else None
    base_summary = json.loads(base.summary) if base is not None and base.summary else None
    compared = record.base_run or SCENARIOS in record.overrides
    comparison = service.comparison(record) if compared and summary else None
    progress = service.queue.progress(record.id)
    lang = _lang(request)
    words = Words(lang, summary["currency"] if summary else "DKK")
    inputs = await run_in_threadpool(_inputs, case, lang)  # the what-if's choices, and labels
    return _page(
        request,
        "run.html",
        run=record,
        case=case,
        summary=summary,
        base=base,
        base_summary=base_summary,
        comparison=comparison,
        progress=progress or 0.0,
        f=words,
        inputs=inputs,
        labels={i["path"]: i["label"] for i in inputs},
    )


async def stop_run(request: Request) -> Response:
    if await _form(request) is None:
        return _csrf_refused()
    run_id = request.path_params["run"]
    if valid_id(run_id):
        _service(request).queue.cancel(run_id)
    return _see(f"/runs/{run_id}")


async def login(request: Request) -> Response:
    token = request.app.state.settings.token
    if request.method == "GET":
        return _page(request, "login.html")
    form = await _form(request)
    if form is None:
        return _csrf_refused()
    given = str(form.get("token", ""))
    if token is None or not secrets.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        return _page(request, "login.html", 401, failed=True)
    response = _see("/")
    response.set_cookie(
        SESSION_COOKIE,
        new_session(token),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def logout(request: Request) -> Response:
    if await _form(request) is None:
        return _csrf_refused()
    response = _see("/login")
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response


def page_routes() -> list[Route]:
    return [
        Route("/", start),
        Route("/cases", upload, methods=["POST"]),
        Route("/cases/example", example, methods=["POST"]),
        Route("/template.xlsx", template),
        Route("/cases/{case}", case_page),
        Route("/cases/{case}/case.toml", case_toml),
        Route("/cases/{case}/case.xlsx", case_xlsx),
        Route("/cases/{case}/density/{index:int}.svg", density),
        Route("/cases/{case}/runs", start_run, methods=["POST"]),
        Route("/runs/{run}", run_page),
        Route("/runs/{run}/stop", stop_run, methods=["POST"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]

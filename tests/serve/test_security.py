"""The server's security rules (outputs.md, issue 19): token, loopback, login session, CSRF,
cross-site posts, CSP, escaping, hostile uploads and errors without a traceback."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from serving import upload

from somrisk.errors import UsageError
from somrisk.runner import example_case_path
from somrisk.serve.settings import check_host
from somrisk.testing import minimal_case

EXAMPLE = example_case_path().read_bytes()
TOKEN = "s3cret-token"
BEARER = {"authorization": f"Bearer {TOKEN}"}
HTML = {"accept": "text/html"}


def csrf_of_page(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def csrf_of(client) -> str:
    """The CSRF token a page gives this browser (the cookie, repeated in every form)."""
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


# --- the token --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("GET", "/"),
        ("POST", "/api/cases"),
        ("GET", "/api/cases/0123456789abcdef"),
        ("POST", "/api/cases/0123456789abcdef/runs"),
        ("GET", "/api/runs/0123456789abcdef"),
        ("GET", "/runs/0123456789abcdef/report"),
        ("GET", "/runs/0123456789abcdef/workbook"),
        ("GET", "/template.xlsx"),
    ],
)
def test_without_the_token_every_request_is_401(server, method, path):
    client = server(token=TOKEN)
    assert client.request(method, path).status_code == 401
    assert client.request(method, path, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert client.request(method, path, headers={"authorization": TOKEN}).status_code == 401
    assert client.request(method, path, headers=BEARER).status_code != 401


def test_a_browser_without_the_token_is_sent_to_the_login_page(server):
    client = server(token=TOKEN)
    answer = client.get("/", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get("/login").status_code == 200
    assert client.get("/static/poll.js").status_code == 200


def test_the_login_page_sets_a_strict_httponly_session_cookie(server):
    client = server(token=TOKEN)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    wrong = client.post("/login", data={"csrf": csrf, "token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 401
    answer = client.post("/login", data={"csrf": csrf, "token": TOKEN}, follow_redirects=False)
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("somrisk_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = client.get("/", headers=HTML)
    assert home.status_code == 200  # the cookie is enough now
    assert client.get("/health").status_code == 200
    out = client.post("/logout", data={"csrf": csrf_of_page(home)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/health").status_code == 401


def test_a_forged_session_cookie_is_refused(server):
    client = server(token=TOKEN)
    client.cookies.set("somrisk_session", "0" * 32 + "." + "0" * 64)
    assert client.get("/health").status_code == 401


def test_without_a_token_a_host_beyond_loopback_is_refused():
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        check_host(host, None)
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        with pytest.raises(UsageError, match="loopback"):
            check_host(host, None)
        check_host(host, TOKEN)


def test_the_command_refuses_another_host_without_a_token_with_exit_2(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("SOMRISK_TOKEN", raising=False)
    result = cli("serve", "--host", "0.0.0.0", "--data", tmp_path)
    assert result.code == 2
    assert "loopback" in result.stderr and "Traceback" not in result.stderr


# --- CSRF and other sites -----------------------------------------------------------------------------
@pytest.mark.parametrize("given", [None, "", "forged"])
def test_a_form_without_its_csrf_token_is_refused(client, given):
    csrf_of(client)  # the browser has its cookie
    data = {} if given is None else {"csrf": given}
    answer = client.post("/cases/example", data=data, follow_redirects=False)
    assert answer.status_code == 403
    assert client.get("/api/cases/0123456789abcdef").status_code == 404


def test_a_form_with_its_csrf_token_is_accepted(client):
    answer = client.post("/cases/example", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/cases/")


@pytest.mark.parametrize(
    "headers",
    [{"origin": "http://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}],
)
def test_a_post_from_another_site_is_refused(client, headers):
    assert upload(client, "youth.toml", EXAMPLE, **headers).status_code == 403
    assert upload(client, "youth.toml", EXAMPLE, origin="http://testserver").status_code == 201


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-origin", "origin": "null"},  # Chromium's form post under no-referrer
        {"sec-fetch-site": "same-origin", "origin": "http://testserver"},
        {"sec-fetch-site": "none"},  # typed by the user
    ],
)
def test_a_post_the_browser_marks_as_same_origin_is_accepted(client, headers):
    assert upload(client, "youth.toml", EXAMPLE, **headers).status_code == 201


# --- what every page carries ----------------------------------------------------------------------
def test_every_page_has_a_csp_without_inline_script_and_no_inline_script(client):
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    for path in ("/", f"/cases/{case}", "/login"):
        page = client.get(path, headers=HTML)
        policy = page.headers["content-security-policy"]
        script = re.search(r"script-src ([^;]*)", policy).group(1)
        assert script == "'self'"
        assert "unsafe-inline" not in policy
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)  # every script is a file
        assert page.headers["x-content-type-options"] == "nosniff"
        # the real origin on somrisk's own form posts, no address of somrisk's to another site
        assert page.headers["referrer-policy"] == "same-origin"


def test_a_case_name_with_markup_is_shown_as_text(client):
    name = "<script>alert('x')</script> & <b>bold</b>"
    text = minimal_case().replace('name = "Toy case"', f'name = "{name}"')
    answer = upload(client, "evil<script>.toml", text.encode("utf-8"))
    assert answer.status_code == 201, answer.text
    case = answer.json()["id"]
    for path in (f"/cases/{case}", "/"):
        page = client.get(path, headers=HTML).text
        assert "&lt;script&gt;alert(" in page
        assert "<script>alert" not in page and "<b>bold" not in page
    run = client.post(f"/api/cases/{case}/runs", json={"draws": 100}).json()["run"]
    assert "<script>alert" not in client.get(f"/runs/{run}", headers=HTML).text


# --- hostile uploads ------------------------------------------------------------------------------------
def bomb() -> bytes:
    """A zip named like a workbook whose one sheet unpacks to 80 MiB of spaces (about 80 kB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = b" " * 2**20
            for _ in range(80):
                entry.write(chunk)
    return buffer.getvalue()


def test_a_decompression_bomb_is_refused_before_parsing(client, monkeypatch):
    import openpyxl

    def parse(*args, **kwargs):  # openpyxl must never see it
        raise AssertionError("openpyxl parsed the bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", parse)
    data = bomb()
    assert len(data) < 1_000_000
    answer = upload(client, "bomb.xlsx", data)
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert "unpacks to" in error["message"]
    assert client.get("/health").status_code == 200


def test_an_xml_entity_bomb_is_refused(client):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><worksheet>&lol2;</worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", laughs)
    answer = upload(client, "laughs.xlsx", buffer.getvalue())
    assert answer.status_code == 422
    assert client.get("/health").status_code == 200


def test_an_internal_error_shows_no_traceback(client, monkeypatch):
    service = client.app.state.service

    def broken(*args, **kwargs):
        raise RuntimeError("/secret/path/of/the/server")

    monkeypatch.setattr(service, "add_case", broken)
    answer = upload(client, "youth.toml", EXAMPLE)
    assert answer.status_code == 500
    assert "Traceback" not in answer.text and "/secret" not in answer.text
    assert answer.json() == {"error": "internal error (RuntimeError); nothing was changed"}


def test_unknown_paths_and_methods_answer_without_a_traceback(client):
    assert client.get("/etc/passwd").status_code == 404
    assert client.get("/static/../store.py").status_code == 404
    assert client.delete("/api/cases/0123456789abcdef").status_code == 405


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory):
    from serving import make_client

    with make_client(tmp_path_factory.mktemp("fuzz")) as client:
        yield client


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(max_size=40).map(lambda s: s + ".toml")
    | st.text(max_size=40).map(lambda s: s + ".xlsx")
    | st.text(max_size=40),
    data=st.binary(max_size=2000) | st.text(max_size=400).map(str.encode),
)
def test_any_upload_is_answered_without_an_internal_error(fuzz_client, name, data):
    answer = fuzz_client.post("/api/cases", files={"case": (name, data)})
    assert answer.status_code in (201, 413, 422), answer.text
    if answer.status_code == 422:
        for error in answer.json()["errors"]:
            assert set(error) == {"where", "message"} and "somrisk-upload" not in json.dumps(error)

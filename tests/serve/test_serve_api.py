"""The HTTP API of outputs.md ("The browser app"): every route and status code."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from serving import FIXED_COST, upload, wait

from somrisk.io.excel import export_case
from somrisk.runner import example_case_path

EXAMPLE = example_case_path().read_bytes()


def test_health_answers_ok_and_the_version(client):
    from somrisk import __version__

    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": __version__}


def test_a_toml_case_is_stored_as_uploaded(client):
    answer = upload(client, "youth.toml", EXAMPLE)
    assert answer.status_code == 201
    body = answer.json()
    assert body["name"] == "Gruppeforløb for unge med hashmisbrug"
    assert isinstance(body["warnings"], list) and body["warnings"]  # the example's horizon warning
    stored = client.get(f"/api/cases/{body['id']}")
    assert stored.status_code == 200
    case = stored.json()
    assert set(case) == {"id", "name", "toml", "created", "sha256"}
    assert case["toml"].encode("utf-8") == EXAMPLE
    assert case["sha256"] == hashlib.sha256(EXAMPLE).hexdigest()


def test_a_case_workbook_is_stored_as_its_toml(client, tmp_path):
    workbook = export_case(example_case_path(), tmp_path / "youth.xlsx")
    answer = upload(client, "youth.xlsx", workbook.read_bytes())
    assert answer.status_code == 201, answer.text
    case = client.get(f"/api/cases/{answer.json()['id']}").json()
    assert case["name"] == "Gruppeforløb for unge med hashmisbrug"
    assert case["sha256"] == hashlib.sha256(case["toml"].encode("utf-8")).hexdigest()


def test_an_invalid_case_is_422_with_every_problem_at_its_key_path(client):
    bad = EXAMPLE.replace(b"discount_rate = 0.035", b"discount_rate = 3.5").replace(
        b'name = "Gruppeforl', b'nme = "Gruppeforl', 1
    )
    answer = upload(client, "bad.toml", bad)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    wheres = [e["where"] for e in errors]
    assert "economy.discount_rate" in wheres
    assert any(w.startswith("case") for w in wheres)
    assert all(set(e) == {"where", "message"} and e["message"] for e in errors)


def test_an_invalid_workbook_is_422_with_the_sheet_and_cell(client, tmp_path):
    workbook = export_case(example_case_path(), tmp_path / "youth.xlsx")
    book = load_workbook(workbook)
    changed = None
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == 0.035 and changed is None:  # the discount rate
                    cell.value = 3.5
                    changed = (sheet.title, cell.coordinate)
    assert changed is not None
    book.save(workbook)
    answer = upload(client, "youth.xlsx", workbook.read_bytes())
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert f'sheet "{changed[0]}"' in error["where"] and f"cell {changed[1]}" in error["where"]
    assert str(tmp_path) not in json.dumps(answer.json())  # no server path


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"case": ("notes.txt", b"hello")}, "notes.txt"),
        ({"other": ("a.toml", EXAMPLE)}, "case"),
    ],
)
def test_an_upload_that_is_no_case_file_is_422(client, files, where):
    answer = client.post("/api/cases", files=files)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["where"] == where


def test_a_body_that_is_not_multipart_is_422(client):
    answer = client.post("/api/cases", content=b"case=1", headers={"content-type": "text/plain"})
    assert answer.status_code == 422


def test_a_body_over_the_limit_is_413_before_it_is_read(server):
    client = server(max_upload_bytes=10_000)
    answer = upload(client, "youth.toml", EXAMPLE + b"#" * 200_000)
    assert answer.status_code == 413
    assert client.get("/health").status_code == 200


def test_a_toml_file_over_its_own_limit_is_413(client):
    from somrisk.case.limits import MAX_FILE_BYTES

    answer = upload(client, "big.toml", b"#" * (MAX_FILE_BYTES + 1))
    assert answer.status_code == 413


@pytest.mark.parametrize("path", ["/api/cases/0123456789abcdef", "/api/cases/..%2F..%2Fetc", "/api/cases/x"])
def test_an_unknown_case_is_404(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path + "/runs", json={}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/0123456789abcdef",
        "/runs/0123456789abcdef/report",
        "/runs/0123456789abcdef/workbook",
        "/api/runs/nope",
    ],
)
def test_an_unknown_run_is_404(client, path):
    assert client.get(path).status_code == 404


def test_the_summary_is_the_clis_bit_for_bit(client, cli, tmp_path):
    """The same case, seed, draws and sampler give `somrisk run --json`'s summary exactly."""
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    started = client.post(f"/api/cases/{case}/runs", json={"draws": 3000, "seed": 7, "sampler": "mc"})
    assert started.status_code == 202
    answer = wait(client, started.json()["run"])
    assert answer["status"] == "done" and answer["progress"] == 1.0
    file = tmp_path / "youth.toml"
    file.write_bytes(EXAMPLE)
    printed = cli("run", file, "--draws", "3000", "--seed", "7", "--sampler", "mc", "--json")
    assert printed.code == 0, printed.err
    assert answer["summary"] == json.loads(printed.stdout)  # every float parsed exactly: bit for bit


def test_a_run_without_a_body_uses_the_clis_defaults(client):
    case = upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]
    started = client.post(f"/api/cases/{case}/runs")
    assert started.status_code == 202
    summary = wait(client, started.json()["run"])["summary"]
    assert (summary["draws"], summary["seed"], summary["sampler"]) == (10_000, 1, "lhs")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"draws": 0}, "draws"),
        ({"draws": 2_000_001}, "draws"),
        ({"draws": "many"}, "draws"),
        ({"draws": True}, "draws"),
        ({"seed": -1}, "seed"),
        ({"sampler": "halton"}, "sampler"),
        ({"threads": 4}, "threads"),
        ({"set": {"effect.nothing": 1}}, "set.effect.nothing"),
        ({"set": {"effect.effect": "high"}}, "set.effect.effect"),
        ({"scale": {"effect.effect": 20}}, "scale.effect.effect"),
        ({"scale": {"costs.programme.amount": float("inf")}}, "scale.costs.programme.amount"),
        ({"set": {"effect.effect": 7.0}}, "set.effect.effect"),  # the edited case is validated too
        ([1, 2], "body"),
        ({"set": [1, 2]}, "set"),
        ({"scale": "x", "draws": 0}, "scale"),
    ],
)
def test_a_bad_run_body_is_422_naming_the_key(server, body, where):
    client = server(max_draws=2_000_000)
    case = upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]
    answer = client.post(f"/api/cases/{case}/runs", content=json.dumps(body).replace("Infinity", "1e999"))
    assert answer.status_code == 422, answer.text
    assert where in [e["where"] for e in answer.json()["errors"]]


def test_a_body_that_is_not_json_is_422(client):
    case = upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]
    answer = client.post(f"/api/cases/{case}/runs", content=b"{draws: 1")
    assert answer.status_code == 422


def test_draws_over_the_servers_limit_are_422(server):
    client = server(max_draws=1000)
    case = upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]
    answer = client.post(f"/api/cases/{case}/runs", json={"draws": 1001})
    assert answer.status_code == 422
    assert "1,000" in answer.json()["errors"][0]["message"]


def test_scale_multiplies_the_inputs_draws_and_set_replaces_its_value(client):
    """Hand-computed: no discounting, 10 participants, effect 0.1, a saving of 500 per person who
    changes, in years 0 and 1 (2 x 10 x 0.1 x 500 = 1,000); the programme's cost U(900, 1100) in year
    0, mean 1,000. Scaled by 2: mean 2,000 -> NPV -1,000 on average; set to 400: NPV 600 exactly."""
    case = upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]
    path = "costs.programme.amount"
    runs = {
        "base": {"draws": 4096, "sampler": "sobol"},
        "scaled": {"draws": 4096, "sampler": "sobol", "scale": {path: 2.0}},
        "set": {"draws": 64, "set": {path: 400}},
    }
    done = {}
    for name, body in runs.items():
        run = client.post(f"/api/cases/{case}/runs", json=body).json()["run"]
        done[name] = wait(client, run)["summary"]
    gain = 2 * 10 * 0.1 * 500
    assert done["base"]["npv"]["total"]["mean"] == pytest.approx(gain - 1000, abs=1.0)
    assert done["scaled"]["npv"]["total"]["mean"] == pytest.approx(gain - 2000, abs=2.0)
    assert done["scaled"]["npv"]["total"]["sd"] == pytest.approx(
        2 * done["base"]["npv"]["total"]["sd"], rel=1e-9
    )
    assert done["set"]["npv"]["total"]["mean"] == pytest.approx(gain - 400, abs=1e-6)
    assert done["set"]["npv"]["total"]["sd"] == pytest.approx(0.0, abs=1e-6)


def test_a_beta_input_is_scaled_as_the_cli_scales_it(client):
    """``--scale`` scales every family (a Scaled distribution): the beta success rate's draws times
    0.9, so the run is accepted and its provenance names the change."""
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    answer = client.post(
        f"/api/cases/{case}/runs", json={"draws": 100, "scale": {"effect.success_rate": 0.9}}
    )
    assert answer.status_code == 202, answer.text
    summary = wait(client, answer.json()["run"])["summary"]
    assert summary["overrides"] == ["--scale effect.success_rate=0.9"]


def test_report_and_workbook_of_a_finished_run(client):
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    run = client.post(f"/api/cases/{case}/runs", json={"draws": 1000}).json()["run"]
    summary = wait(client, run)["summary"]
    for lang, word in (("da", "Nettoresultat"), ("en", "Net result")):
        report = client.get(f"/runs/{run}/report", params={"lang": lang})
        assert report.status_code == 200
        assert report.headers["content-type"].startswith("text/html")
        assert "script-src" not in report.headers["content-security-policy"]  # no script at all
        assert word in report.text
    assert client.get(f"/runs/{run}/report", params={"lang": "de"}).status_code == 422
    workbook = client.get(f"/runs/{run}/workbook")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content), read_only=True)
    assert len(book.sheetnames) >= 3
    assert summary["draws"] == 1000


def test_files_of_a_run_that_is_not_done_are_409(server):
    client = server(max_running=1)
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    run = client.post(f"/api/cases/{case}/runs", json={"draws": 1_000_000}).json()["run"]
    assert client.get(f"/runs/{run}/report").status_code == 409
    assert client.get(f"/runs/{run}/workbook").status_code == 409
    assert client.post(f"/api/runs/{run}/cancel").status_code == 202
    answer = wait(client, run)
    assert answer["status"] == "failed" and answer["error"] == "cancelled"
    assert client.post(f"/api/runs/{run}/cancel").status_code == 409


def test_the_queue_refuses_runs_beyond_its_limit(server):
    client = server(max_running=1, max_queued=2)
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    runs = [client.post(f"/api/cases/{case}/runs", json={"draws": 1_000_000}) for _ in range(3)]
    assert [r.status_code for r in runs] == [202, 202, 503]
    for r in runs[:2]:
        client.post(f"/api/runs/{r.json()['run']}/cancel")
    assert all(wait(client, r.json()["run"])["status"] == "failed" for r in runs[:2])
    assert client.post(f"/api/cases/{case}/runs", json={"draws": 100}).status_code == 202


def test_a_run_over_the_time_limit_fails(server):
    client = server(time_limit_s=0.0)
    case = upload(client, "youth.toml", EXAMPLE).json()["id"]
    run = client.post(f"/api/cases/{case}/runs", json={"draws": 100_000}).json()["run"]
    answer = wait(client, run)
    assert answer["status"] == "failed" and "time limit" in answer["error"]


def test_a_toml_syntax_error_is_422_at_its_line_and_column(client):
    answer = upload(client, "broken.toml", b"[case\nname = 1\n")
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["where"] == "line 1, column 6" and "syntax" in error["message"]


def test_a_runs_provenance_names_the_case_as_run(client):
    from somrisk.serve.store import Store

    case = upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]
    base = client.post(f"/api/cases/{case}/runs", json={"draws": 100, "seed": 5}).json()["run"]
    what_if = client.post(
        f"/api/cases/{case}/runs", json={"draws": 100, "set": {"effect.effect": 0.2}}
    ).json()["run"]
    wait(client, base), wait(client, what_if)
    store: Store = client.app.state.service.store
    base_record, what_if_record = store.run(base), store.run(what_if)
    assert base_record.case_sha256 == hashlib.sha256(FIXED_COST.encode()).hexdigest()
    # as `somrisk run --set`: the file's SHA-256, and the change in the provenance's overrides
    assert what_if_record.case_sha256 == base_record.case_sha256
    assert wait(client, what_if)["summary"]["overrides"] == ["--set effect.effect=0.2"]
    assert (base_record.seed, base_record.draws, base_record.sampler) == (5, 100, "lhs")
    assert what_if_record.overrides == {"set": {"effect.effect": 0.2}}
    assert base_record.created and base_record.started and base_record.finished and base_record.version


def test_set_takes_a_distribution_table_validated_as_in_a_file(client):
    case = upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]
    table = {"dist": "uniform", "min": 100, "max": 300}
    run = client.post(
        f"/api/cases/{case}/runs",
        json={"draws": 4096, "sampler": "sobol", "set": {"costs.programme.amount": table}},
    )
    assert run.status_code == 202
    summary = wait(client, run.json()["run"])["summary"]
    assert summary["npv"]["total"]["mean"] == pytest.approx(
        1000 - 200, abs=0.5
    )  # gains 1,000, cost U(100, 300)
    for bad, where in (
        ({"dist": "uniform", "min": 3, "max": 1}, "set.costs.programme.amount"),
        ({"dist": "uniform", "min": None, "max": 1}, "set.costs.programme.amount.min"),
    ):
        answer = client.post(f"/api/cases/{case}/runs", json={"set": {"costs.programme.amount": bad}})
        assert answer.status_code == 422, answer.text
        assert any(e["where"].startswith(where) for e in answer.json()["errors"])


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=25), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["draws", "seed", "sampler", "set", "scale", "effect.effect", "costs.programme.amount"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON | st.dictionaries(KEYS, JSON | st.dictionaries(KEYS, JSON, max_size=2), max_size=4))
def test_any_json_body_is_answered_202_or_422_never_an_internal_error(server_for_fuzz, body):
    client, case = server_for_fuzz
    answer = client.post(f"/api/cases/{case}/runs", content=json.dumps(body))
    assert answer.status_code in (202, 422, 503), answer.text
    if answer.status_code == 422:
        assert all(set(e) == {"where", "message"} for e in answer.json()["errors"])


@pytest.fixture(scope="module")
def server_for_fuzz(tmp_path_factory):
    from serving import make_client

    with make_client(tmp_path_factory.mktemp("fuzz"), max_draws=50, max_queued=1000) as client:
        yield client, upload(client, "toy.toml", FIXED_COST.encode()).json()["id"]

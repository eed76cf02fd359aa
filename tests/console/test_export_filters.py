"""Exports filtered by event and by dates (from, to), on the console's form, the HTTP API and
``kiosk-server export``: each file read back holds exactly the signers asked for; bad values
are refused with 422 (the API and the form) or an error (the CLI)."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from sqlalchemy import Engine

from kiosk.server.app import create_app
from kiosk.server.cli import main as server_main
from kiosk.server.config import ServerSettings
from kiosk.server.console import auth
from kiosk.server.db import write_transaction
from kiosk.server.keys import ENV_KEY_PASSPHRASE
from kiosk.wire import API_PREFIX
from tests.server.conftest import make_code
from tests.server.coord_support import (
    PASSPHRASE,
    OrgKey,
    add_coordinator,
    csrf_of,
    import_mini,
    make_key,
    mini_signature,
    person,
    sign_in,
)
from tests.server.helpers import ApiClient, InProcessServer, event

PASSWORD = "a long enough passphrase"
# Who signed when and where (UTC).
SIGNED = [
    ("Alma", "Reyes", datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "rally-1"),
    ("Bruno", "Diaz", datetime(2026, 11, 21, 0, 10, tzinfo=UTC), "rally-1"),
    ("Carmen", "Ortiz", datetime(2026, 11, 22, 12, 0, tzinfo=UTC), "fair-2"),
    ("Dario", "Luna", datetime(2026, 11, 23, 23, 59, tzinfo=UTC), "rally-1"),
    ("Elena", "Sol", datetime(2026, 11, 24, 0, 0, tzinfo=UTC), None),
]


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgKey:
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    return make_key(tmp_path)


@pytest.fixture
def web(db_url: str, engine: Engine, key: OrgKey) -> Iterator[httpx.Client]:
    settings = ServerSettings(
        database_url=db_url, org_public_key=key.public_b64, org_private_key_files=(str(key.path),)
    )
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=60) as c,
    ):
        import_mini(engine)
        kiosk = ApiClient.enroll(c, make_code(engine, "Kiosk A"))
        kiosk.push(events=[event("rally-1"), event("fair-2", name="County fair")])
        kiosk.push(
            [
                mini_signature(key, person(first, last), "evansville", created_at=at, event_id=ev)
                for first, last, at, ev in SIGNED
            ]
        )
        yield c


def _names_csv(data: bytes) -> list[str]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")))
    return sorted(f"{r['first_name']} {r['last_name']}" for r in rows)


def _names_pdf(data: bytes) -> list[str]:
    text = "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    return sorted(f"{f} {last}" for f, last, _at, _ev in SIGNED if f in text and last in text)


# (filters, who must be in the file): since at or after, until (a date: that day included).
CASES: list[tuple[dict[str, str], list[str]]] = [
    ({"event": "rally-1"}, ["Alma Reyes", "Bruno Diaz", "Dario Luna"]),
    ({"event": "fair-2"}, ["Carmen Ortiz"]),
    ({"since": "2026-11-21"}, ["Bruno Diaz", "Carmen Ortiz", "Dario Luna", "Elena Sol"]),
    ({"until": "2026-11-23"}, ["Alma Reyes", "Bruno Diaz", "Carmen Ortiz", "Dario Luna"]),
    ({"since": "2026-11-21", "until": "2026-11-22"}, ["Bruno Diaz", "Carmen Ortiz"]),
    (
        {"since": "2026-11-21", "until": "2026-11-23", "event": "rally-1"},
        ["Bruno Diaz", "Dario Luna"],
    ),
]


def _api_params(filters: dict[str, str]) -> dict[str, str]:
    """The API's ``until`` is an instant (before it): a day included ends at the next midnight."""
    out = dict(filters)
    if "until" in out:
        day = datetime.fromisoformat(out["until"]).replace(tzinfo=UTC)
        out["until"] = day.replace(day=day.day + 1).isoformat()
    if "since" in out:
        out["since"] = out["since"] + "T00:00:00Z"
    return out


@pytest.mark.parametrize(("filters", "names"), CASES)
def test_api_and_cli_exports_hold_exactly_the_filtered_signers(
    web: httpx.Client,
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    key: OrgKey,
    filters: dict[str, str],
    names: list[str],
) -> None:
    auth_header = {"Authorization": f"Bearer {add_coordinator(engine)}"}
    params = _api_params(filters)
    r = web.get(f"{API_PREFIX}/exports/mini-test.csv", params=params, headers=auth_header)
    assert r.status_code == 200, r.text
    assert _names_csv(r.content) == names
    r = web.get(f"{API_PREFIX}/exports/mini-test.pdf", params=params, headers=auth_header)
    assert r.status_code == 200, r.text
    assert _names_pdf(r.content) == names
    out = tmp_path / "out.csv"
    args = ["--database-url", db_url, "export", "csv", "--campaign", "mini-test"]
    for k, v in filters.items():
        args += [f"--{k}", v]
    assert server_main([*args, "--out", str(out), "--org-private-key-file", str(key.path)]) == 0
    assert _names_csv(out.read_bytes()) == names


@pytest.mark.parametrize(
    "params",
    [
        {"until": "not a date"},
        {"since": "2026-11-22T00:00:00Z", "until": "2026-11-22T00:00:00Z"},
        {"since": "2026-11-23T00:00:00Z", "until": "2026-11-21T00:00:00Z"},
        {"event": ""},
        {"event": "x" * 65},
        {"event": "rally\n1"},
    ],
)
def test_api_refuses_bad_filters_with_422(
    web: httpx.Client, engine: Engine, params: dict[str, str]
) -> None:
    auth_header = {"Authorization": f"Bearer {add_coordinator(engine)}"}
    for kind in ("csv", "pdf"):
        r = web.get(f"{API_PREFIX}/exports/mini-test.{kind}", params=params, headers=auth_header)
        assert r.status_code == 422, r.text


def test_api_and_cli_refuse_an_unknown_event(
    web: httpx.Client, engine: Engine, db_url: str, key: OrgKey
) -> None:
    auth_header = {"Authorization": f"Bearer {add_coordinator(engine)}"}
    r = web.get(
        f"{API_PREFIX}/exports/mini-test.csv", params={"event": "nope"}, headers=auth_header
    )
    assert (r.status_code, r.json()["error"]) == (404, "event_not_found")
    args = ["--database-url", db_url, "export", "csv", "--campaign", "mini-test"]
    args += ["--org-private-key-file", str(key.path)]
    assert server_main([*args, "--event", "nope"]) == 1
    assert server_main([*args, "--until", "2026-13-01"]) == 1
    assert server_main([*args, "--since", "2026-11-23", "--until", "2026-11-22"]) == 1


def _console(web: httpx.Client, engine: Engine) -> str:
    with write_transaction(engine) as conn:
        from kiosk.server import coordinators

        new = coordinators.add(conn, "ada@example.org", datetime.now(UTC))
        auth.set_login(conn, new.id, "ada@example.org", "admin", PASSWORD)
    r = sign_in(web, "ada@example.org", PASSWORD)
    assert r.status_code == 303, r.text
    page = web.get("/console/exports").text
    assert 'name="until"' in page and '<option value="fair-2">' in page
    return csrf_of(page)


def _run_job(web: httpx.Client, form: dict[str, str]) -> bytes:
    before = set(re.findall(r'data-job="([0-9a-f]+)"', web.get("/console/exports").text))
    r = web.post("/console/exports", data=form)
    assert r.status_code == 303, r.text
    (job,) = set(re.findall(r'data-job="([0-9a-f]+)"', web.get("/console/exports").text)) - before
    deadline = time.monotonic() + 60
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = web.get(f"/console/exports/{job}.json").json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert state.get("state") == "done", state
    r = web.get(f"/console/exports/{job}/download")
    assert r.status_code == 200
    return r.content


def test_console_exports_hold_exactly_the_filtered_signers(
    web: httpx.Client, engine: Engine
) -> None:
    csrf = _console(web, engine)
    for filters, names in CASES:
        form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", **filters}
        assert _names_csv(_run_job(web, {**form, "kind": "csv"})) == names, filters
    filters, names = CASES[-1]
    form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", **filters}
    assert _names_pdf(_run_job(web, {**form, "kind": "pdf"})) == names
    # Bad values: 422, and no job.
    for bad in (
        {"until": "2026-11-31"},
        {"until": "23/11/2026"},
        {"since": "2026-11-23", "until": "2026-11-22"},
        {"event": "nope"},
        {"local": "atlantis"},
    ):
        before = web.get("/console/exports").text.count("data-job=")
        r = web.post("/console/exports", data={**form, "kind": "csv", **bad})
        assert r.status_code == 422, bad
        assert web.get("/console/exports").text.count("data-job=") == before


def test_console_dates_are_days_of_the_coordinators_time_zone(
    web: httpx.Client, engine: Engine
) -> None:
    """A clerk's deadline "until Nov 23" in California includes Dario's 23:59 UTC signature
    (15:59 there) and Elena's at 00:00 UTC on the 24th (16:00 on the 23rd there); in UTC it
    stops before Elena. The browser sends its zone (console.js); without it, UTC."""
    csrf = _console(web, engine)
    form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", "kind": "csv"}
    until = {**form, "until": "2026-11-23"}
    assert _names_csv(_run_job(web, until)) == [
        "Alma Reyes",
        "Bruno Diaz",
        "Carmen Ortiz",
        "Dario Luna",
    ]
    la = {**until, "tz": "America/Los_Angeles"}
    assert "Elena Sol" in _names_csv(_run_job(web, la))
    # "Since Nov 21" in Los Angeles starts at 08:00 UTC: Bruno (00:10 UTC) signed on the 20th
    # there.
    since = {**form, "since": "2026-11-21", "tz": "America/Los_Angeles"}
    assert "Bruno Diaz" not in _names_csv(_run_job(web, since))
    # In Tokyo, "until Nov 23" ends at 15:00 UTC on the 23rd: Dario's 23:59 UTC is the 24th.
    tokyo = {**until, "tz": "Asia/Tokyo"}
    assert "Dario Luna" not in _names_csv(_run_job(web, tokyo))
    # A zone this server does not know, or not a zone at all: UTC, as without script.
    for odd in ("Mars/Olympus_Mons", "../../etc/passwd", "x" * 70, ""):
        assert _names_csv(_run_job(web, {**until, "tz": odd})) == _names_csv(
            _run_job(web, until)
        ), odd
    # The job list says which zone its dates were days of.
    assert "→ 2026-11-23 (America/Los_Angeles)" in web.get("/console/exports").text


def test_console_pdf_sheets_take_paper_rows_and_comments(web: httpx.Client, engine: Engine) -> None:
    """The console's PDF export lays the sheets out as asked (as the kiosk and the CLI do):
    A4 or Letter, signatures per sheet, each signer's comment or not."""
    csrf = _console(web, engine)
    form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", "kind": "pdf"}

    def sheets(data: bytes) -> tuple[int, int, str]:
        reader = pypdf.PdfReader(io.BytesIO(data))
        text = "\n".join(p.extract_text() or "" for p in reader.pages)
        return round(float(reader.pages[0].mediabox.width)), len(reader.pages), text

    width, pages, text = sheets(_run_job(web, form))  # the defaults
    assert width == 612 and "Comment" not in text
    width, fewer, text = sheets(
        _run_job(web, {**form, "paper": "a4", "rows": "30", "comments": "1"})
    )
    assert width == 595 and "Comment" in text
    tight = sheets(_run_job(web, {**form, "rows": "15"}))[1]
    assert fewer <= tight <= pages
    for bad in ({"paper": "legal"}, {"rows": "7"}, {"rows": "100"}):
        before = web.get("/console/exports").text.count("data-job=")
        r = web.post("/console/exports", data={**form, **bad})
        assert r.status_code == 422, bad
        assert web.get("/console/exports").text.count("data-job=") == before
    # A refused form keeps the layout chosen.
    r = web.post("/console/exports", data={**form, "paper": "a4", "rows": "20", "until": "x"})
    assert '<option value="a4" selected>' in r.text and '<option value="20" selected>' in r.text


def test_console_csv_for_excel_starts_with_the_byte_order_mark(
    web: httpx.Client, engine: Engine
) -> None:
    """The form's "For Excel (Windows)" box: the CSV starts with the UTF-8 byte-order mark
    (before the TEST DATA line too), then the very bytes of the plain list; unchecked, no mark;
    a PDF is not changed by it. The job list says which list was made for Excel."""
    csrf = _console(web, engine)
    page = web.get("/console/exports").text
    assert '<input id="x-excel" name="excel" type="checkbox" value="1">' in page
    assert "For Excel (Windows): letters such as á and ñ show correctly (CSV)" in page
    spanish = web.get("/console/exports?lang=es").text
    assert "Para Excel (Windows): las letras como á y ñ se ven correctamente (CSV)" in spanish
    form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", "kind": "csv"}
    plain = _run_job(web, form)
    assert plain.startswith(b"signature_id,") and "(Excel)" not in web.get("/console/exports").text
    excel = _run_job(web, {**form, "excel": "1"})
    assert excel == b"\xef\xbb\xbf" + plain
    rows = list(csv.DictReader(io.StringIO(excel.decode("utf-8-sig"))))
    assert rows == list(csv.DictReader(io.StringIO(plain.decode("utf-8")))) and len(rows) == 5
    assert web.get("/console/exports").text.count("<strong>CSV (Excel)</strong>") == 1
    marked = _run_job(web, {**form, "excel": "1", "include_synthetic": "1"})
    assert marked.startswith(b'\xef\xbb\xbf"TEST DATA, not signatures')
    assert marked[3:] == _run_job(web, {**form, "include_synthetic": "1"})
    pdf = _run_job(web, {**form, "kind": "pdf", "excel": "1"})
    assert pdf.startswith(b"%PDF") and _names_pdf(pdf) == _names_csv(plain)
    assert web.get("/console/exports").text.count("<strong>CSV (Excel)</strong>") == 2


def test_console_pdf_splits_by_state_and_by_size(
    web: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    """The console's PDF export splits as `--split-by-state` and `--per-file N` do (they were
    command-line only): one file per signers' state, parts of at most N signatures, each file
    named so no two in the ZIP share a name. Bad sizes are refused and start no job."""
    kiosk = ApiClient.enroll(web, make_code(engine, "Kiosk B"))
    kiosk.push([mini_signature(key, person("Fausto", "Rio", "63105"), "st-louis-county")])
    csrf = _console(web, engine)
    form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", "kind": "pdf"}

    def files(data: bytes) -> dict[str, list[str]]:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {
                n: _names_pdf(zf.read(n)) + (["Fausto"] if b"Fausto" in zf.read(n) else [])
                for n in zf.namelist()
            }

    by_state = files(_run_job(web, {**form, "split_state": "1"}))
    assert sorted(by_state) == ["mini-test-in.pdf", "mini-test-mo.pdf"], by_state
    assert len(by_state["mini-test-in.pdf"]) == len(SIGNED)
    parts = files(_run_job(web, {**form, "local": "evansville", "per_file": "2"}))
    assert sorted(parts) == [
        "mini-test-evansville-part01.pdf",
        "mini-test-evansville-part02.pdf",
        "mini-test-evansville-part03.pdf",
    ], parts
    assert sum(len(v) for v in parts.values()) == len(SIGNED)
    for bad in (
        {"per_file": "0"},
        {"per_file": "-3"},
        {"per_file": "2.5"},
        {"per_file": "٣"},
        {"per_file": "1000000"},
        {"split_state": "yes"},
    ):
        before = web.get("/console/exports").text.count("data-job=")
        r = web.post("/console/exports", data={**form, **bad})
        assert r.status_code == 422, bad
        assert web.get("/console/exports").text.count("data-job=") == before
    # A refused form keeps the choices.
    r = web.post(
        "/console/exports", data={**form, "split_state": "1", "per_file": "50", "until": "x"}
    )
    assert 'id="x-split" name="split_state" type="checkbox" value="1" checked' in r.text
    assert 'value="50"' in r.text


def test_console_spanish_packets_are_named_in_spanish(
    web: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    """A Spanish export of one packet per local campaign came as ``mini-test-packets.zip`` of
    ``packet-….pdf``: English file names for the Spanish sheets a coordinator hands over. The
    names follow the sheets' language; English ones are as they were."""
    kiosk = ApiClient.enroll(web, make_code(engine, "Kiosk B"))
    kiosk.push([mini_signature(key, person("Fausto", "Rio", "63105"), "st-louis-county")])
    csrf = _console(web, engine)
    form = {"csrf": csrf, "campaign": "mini-test", "local": "*", "kind": "pdf"}
    for lang, word in (("es", "paquete"), ("en", "packet")):
        data = _run_job(web, {**form, "lang": lang})
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
        assert names and all(n.startswith(f"{word}-") for n in names), names
        page = web.get(f"/console/exports?lang={lang}").text
        assert f"mini-test-{word}s.zip" in page.split('class="card job"')[1], lang


def test_console_export_files_are_encrypted_at_rest_and_expire_whoever_looks(
    web: httpx.Client, engine: Engine, db_url: str, key: OrgKey
) -> None:
    """A console export's file holds signers in clear: the database keeps it encrypted with a
    key derived from the organization's private key, and hands it out for a day only, then
    deletes it, even when nobody opens the exports page again."""
    from sqlalchemy import select, update

    from kiosk.adapters.crypto import SealedBoxOpener, generate_keypair
    from kiosk.server.console import jobs
    from kiosk.server.keys import KeyRing

    csrf = _console(web, engine)
    form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", "kind": "csv"}
    data = _run_job(web, form)
    assert "Alma Reyes" in _names_csv(data)
    with engine.connect() as conn:
        ((job_id, stored, owner),) = conn.execute(
            select(jobs.JOBS.c.id, jobs.JOBS.c.result, jobs.JOBS.c.coordinator_id)
        ).all()
    stored = bytes(stored)
    assert b"Alma" not in stored and b"Reyes" not in stored and stored != data
    now = datetime.now(UTC)
    ring = KeyRing([SealedBoxOpener(key.private)])
    with engine.connect() as conn:
        assert jobs.job_file(conn, job_id, owner, now, ring) == ("mini-test.csv", data)
        # Without the key, or with another one, nothing is handed out.
        assert jobs.job_file(conn, job_id, owner, now, None) is None
        other = KeyRing([SealedBoxOpener(generate_keypair()[1])])
        assert jobs.job_file(conn, job_id, owner, now, other) is None
        # A key added later (the current one first) still opens what the older one made.
        rotated = KeyRing([SealedBoxOpener(generate_keypair()[1]), SealedBoxOpener(key.private)])
        assert jobs.job_file(conn, job_id, owner, now, rotated) == ("mini-test.csv", data)

    # A day later: neither its state nor its file is handed out, before anything deleted it.
    with write_transaction(engine) as conn:
        conn.execute(
            update(jobs.JOBS).values(created_at=now - jobs.KEEP_FOR - timedelta(minutes=1))
        )
    assert web.get(f"/console/exports/{job_id}.json").status_code == 404
    assert web.get(f"/console/exports/{job_id}/download").status_code == 404

    # A server process deletes it when it starts (and every EXPIRE_EVERY after).
    settings = ServerSettings(
        database_url=db_url, org_public_key=key.public_b64, org_private_key_files=(str(key.path),)
    )
    with InProcessServer(create_app(settings, engine=engine)):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                left = conn.execute(select(jobs.JOBS.c.id)).scalars().all()
            if not left:
                break
            time.sleep(0.05)
    assert left == []


def test_a_console_export_of_test_data_only_names_the_forms_box(
    web: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    """Only simulated signers match: the failure names the form's "Include test data" box in
    the page's language, never the command line's ``--include-synthetic``."""
    csrf = _console(web, engine)
    trial = ApiClient.enroll(web, make_code(engine, "Trial kiosk"))
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    trial.push([mini_signature(key, person("Sim", "Ulado"), created_at=at, synthetic=True)])
    form = {"csrf": csrf, "campaign": "mini-test", "local": "", "lang": "en", "kind": "pdf"}
    before = set(re.findall(r'data-job="([0-9a-f]+)"', web.get("/console/exports").text))
    assert web.post("/console/exports", data={**form, "since": "2026-12-01"}).status_code == 303
    page = web.get("/console/exports").text
    (job,) = set(re.findall(r'data-job="([0-9a-f]+)"', page)) - before
    deadline = time.monotonic() + 60
    while web.get(f"/console/exports/{job}.json").json()["state"] != "failed":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    for lang, box in (("en", "“Include test data"), ("es", "«Incluir datos de prueba")):
        page = web.get(f"/console/exports?lang={lang}").text
        row = page.split(f'data-job="{job}"', 1)[1].split("</li>", 1)[0]
        said = row.split('class="job-state"', 1)[1]
        assert box in said, said
        assert "--include-synthetic" not in page and "left out" not in said


def test_cli_export_out_takes_a_folder_and_never_makes_one(
    web: httpx.Client, db_url: str, tmp_path: Path, key: OrgKey, capsys: pytest.CaptureFixture[str]
) -> None:
    """``kiosk-server export --out FOLDER`` wrote ``FOLDER-slug.pdf`` beside the folder (or
    failed naming a temporary file), and a missing folder was made (personal data where a typo
    put it): a folder takes the usual dated names, a missing one is refused."""
    args = ["--database-url", db_url, "export"]
    keyed = ["--org-private-key-file", str(key.path)]
    folder = tmp_path / "sheets"
    folder.mkdir()
    for kind, out in (("pdf", f"{folder}/"), ("csv", str(folder))):
        assert server_main([*args, kind, "--campaign", "mini-test", "--out", out, *keyed]) == 0
    made = sorted(p.name for p in folder.iterdir())
    assert len(made) == 2 and all(n.startswith("mini-test-server-") for n in made), made
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("sheets")] == ["sheets"]
    capsys.readouterr()
    missing = tmp_path / "typo" / "out.csv"
    assert (
        server_main([*args, "csv", "--campaign", "mini-test", "--out", str(missing), *keyed]) == 1
    )
    assert f"folder {missing.parent} does not exist" in capsys.readouterr().err
    assert not missing.parent.exists()

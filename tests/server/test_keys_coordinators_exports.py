"""Organization keys on the server, coordinators, and server-side exports and statistics.

Exports are read back (csv, pypdf): names present, voided and synthetic signatures left out,
contacts in the CSV only, every kiosk's signatures together, old keys still readable after a
rotation, and no key means a clear refusal.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from sqlalchemy import Engine, select

from kiosk.server import coordinators
from kiosk.server import exports as server_exports
from kiosk.server.app import create_app
from kiosk.server.cli import main as server_main
from kiosk.server.config import ServerSettings
from kiosk.server.keys import (
    ENV_KEY_PASSPHRASE,
    ENV_KEY_PASSPHRASE_FILE,
    KeyConfigError,
    parse_public_key,
)
from kiosk.server.models import Coordinator, SignerCount
from kiosk.wire import API_PREFIX, CoordinatorStatsResponse
from tests.server.conftest import make_code
from tests.server.coord_support import (
    PASSPHRASE,
    OrgKey,
    add_coordinator,
    import_mini,
    make_key,
    mini_signature,
    person,
)
from tests.server.helpers import ApiClient, InProcessServer, void

# --- keys -------------------------------------------------------------------------------------


def test_keys_generate_encrypted_writes_0600_file_and_prints_public_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MY_PASS", PASSPHRASE)
    out = tmp_path / "org.key"
    assert (
        server_main(["keys", "generate", "--out-private", str(out), "--passphrase-env", "MY_PASS"])
        == 0
    )
    captured = capsys.readouterr()
    public = parse_public_key(captured.out.strip())
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_bytes())["kdf"] == "argon2id"
    assert "NOT encrypted" not in captured.err
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    ring = ServerSettings(database_url="sqlite://", org_private_key_files=(str(out),)).keyring()
    assert ring is not None and ring.public_keys == [public]
    # never overwritten
    assert server_main(["keys", "generate", "--out-private", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_keys_generate_without_passphrase_warns_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "raw.key"
    assert server_main(["keys", "generate", "--out-private", str(out)]) == 0
    captured = capsys.readouterr()
    assert "WARNING" in captured.err and "NOT encrypted" in captured.err
    assert len(base64.b64decode(out.read_bytes().strip())) == 32
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_keys_generate_refuses_an_empty_passphrase_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    out = tmp_path / "k"
    assert (
        server_main(["keys", "generate", "--out-private", str(out), "--passphrase-env", "NOPE"])
        == 1
    )
    assert "$NOPE" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("not base64!", "not valid base64"), (base64.b64encode(b"short").decode(), "5 bytes")],
)
def test_bad_public_key_is_refused_at_start_up(
    value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(KeyConfigError, match=message):
        ServerSettings(database_url="sqlite://", org_public_key=value)
    assert server_main(["serve", "--org-public-key", value, "--port", "1"]) == 1
    assert message in capsys.readouterr().err


def test_encrypted_key_without_or_with_wrong_passphrase_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = make_key(tmp_path)
    settings = ServerSettings(database_url="sqlite://", org_private_key_files=(str(key.path),))
    monkeypatch.delenv(ENV_KEY_PASSPHRASE, raising=False)
    with pytest.raises(KeyConfigError, match=ENV_KEY_PASSPHRASE):
        settings.keyring()
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, "wrong")
    with pytest.raises(KeyConfigError, match="wrong passphrase"):
        settings.keyring()
    with pytest.raises(KeyConfigError, match="cannot read"):
        ServerSettings(database_url="sqlite://", org_private_key_files=("/nonexistent",)).keyring()


def test_passphrase_from_a_file_for_every_server_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """KIOSK_ORG_KEY_PASSPHRASE_FILE (a systemd credential, say) unlocks the key for serve and
    exports as it does for the forwarder: preferred to the variable, refused when others may
    read it, when it is empty or missing."""
    key = make_key(tmp_path)
    settings = ServerSettings(database_url="sqlite://", org_private_key_files=(str(key.path),))
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    secret.chmod(0o600)
    ring = settings.keyring({ENV_KEY_PASSPHRASE_FILE: str(secret), ENV_KEY_PASSPHRASE: "wrong"})
    assert ring is not None and ring.public_keys == [key.public]
    secret.chmod(0o640)
    with pytest.raises(KeyConfigError, match="readable by other users"):
        settings.keyring({ENV_KEY_PASSPHRASE_FILE: str(secret)})
    monkeypatch.setenv(ENV_KEY_PASSPHRASE_FILE, str(secret))
    args = ["serve", "--org-private-key-file", str(key.path), "--port", "1"]
    assert server_main(args) == 1  # refused before it binds
    assert "chmod 600" in capsys.readouterr().err
    secret.write_text("")
    secret.chmod(0o600)
    with pytest.raises(KeyConfigError, match="is empty"):
        settings.keyring({ENV_KEY_PASSPHRASE_FILE: str(secret)})
    with pytest.raises(KeyConfigError, match="cannot read"):
        settings.keyring({ENV_KEY_PASSPHRASE_FILE: str(tmp_path / "missing")})
    # No key file configured: the passphrase file is not read at all.
    assert ServerSettings(database_url="sqlite://").keyring({ENV_KEY_PASSPHRASE_FILE: "/x"}) is None


def test_private_key_files_come_from_the_environment_comma_separated(tmp_path: Path) -> None:
    s = ServerSettings.resolve(
        database_url="sqlite://", environ={"KIOSK_ORG_PRIVATE_KEY_FILE": "a.key, b.key"}
    )
    assert s.org_private_key_files == ("a.key", "b.key")
    assert ServerSettings.resolve(environ=s.to_environ()).org_private_key_files == (
        "a.key",
        "b.key",
    )


# --- coordinators CLI ---------------------------------------------------------------------------


def test_coordinators_add_list_revoke(
    db_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--database-url", db_url, "coordinators"]
    assert server_main([*base, "add", "--name", "Ana Field Lead"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("kc_") and len(token) > 40
    with engine.connect() as conn:
        stored = conn.execute(select(Coordinator.token_hash)).scalars().all()
    assert len(stored) == 1 and token not in stored[0]
    assert server_main([*base, "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["status"]) for c in listed] == [("Ana Field Lead", "active")]
    assert server_main([*base, "revoke", str(listed[0]["id"])]) == 0
    assert "revoked" in capsys.readouterr().out
    assert server_main([*base, "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert server_main([*base, "revoke", "999"]) == 1
    assert "no coordinator" in capsys.readouterr().err


# --- exports ------------------------------------------------------------------------------------


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgKey:
    """The organization's (encrypted) key, its passphrase in the environment."""
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    return make_key(tmp_path)


@pytest.fixture
def keyed_client(db_url: str, engine: Engine, key: OrgKey) -> Iterator[httpx.Client]:
    """An HTTP client on a server with the organization's private key configured."""
    settings = ServerSettings(
        database_url=db_url, org_public_key=key.public_b64, org_private_key_files=(str(key.path),)
    )
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=60) as c,
    ):
        yield c


def _seed(client: httpx.Client, engine: Engine, key: OrgKey) -> dict[str, str]:
    """Two kiosks push signatures; one voided, one synthetic. Returns names by role."""
    import_mini(engine)
    a = ApiClient.enroll(client, make_code(engine, "Kiosk A"))
    b = ApiClient.enroll(client, make_code(engine, "Kiosk B"))
    s1 = mini_signature(key, person("Alma", "Reyes"), "evansville", kiosk_id="kiosk-a")
    s2 = mini_signature(
        key, person("Bruno", "Diaz", "63105"), "st-louis-county", kiosk_id="kiosk-a"
    )
    gone = mini_signature(key, person("Voided", "Person"), "evansville", kiosk_id="kiosk-a")
    s3 = mini_signature(key, person("Carmen", "Ortiz"), "evansville", kiosk_id="kiosk-b")
    fake = mini_signature(key, person("Synthetic", "Demo"), "evansville", synthetic=True)
    a.push([s1, s2, gone], voids=[void(gone.id)])
    b.push([s3, fake])
    return {"a": "Alma Reyes", "b": "Bruno Diaz", "c": "Carmen Ortiz"}


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_http_csv_export_has_every_kiosk_and_contacts(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    _seed(keyed_client, engine, key)
    token = add_coordinator(engine)
    r = keyed_client.get(
        f"{API_PREFIX}/exports/mini-test.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = _csv_rows(r.content)
    assert sorted(f"{x['first_name']} {x['last_name']}" for x in rows) == [
        "Alma Reyes",
        "Bruno Diaz",
        "Carmen Ortiz",
    ]
    assert all(x["email"].endswith("@example.org") and x["phone"] for x in rows)
    assert {x["street"] for x in rows} == {"12 Secret Street"}
    r = keyed_client.get(
        f"{API_PREFIX}/exports/mini-test.csv",
        params={"include_synthetic": "true", "local": "evansville"},
        headers={"Authorization": f"Bearer {token}"},
    )
    # Asked for synthetic signatures: the first line says TEST DATA, then the header row.
    first, rest = r.content.split(b"\r\n", 1)
    assert first.decode("utf-8") == '"TEST DATA, not signatures · DATOS DE PRUEBA, no son firmas"'
    names = {x["first_name"] for x in _csv_rows(rest)}
    assert names == {"Alma", "Carmen", "Synthetic"}


def test_http_export_until_a_date_includes_that_whole_day(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    """`until=2026-11-23` keeps the signatures of November 23 (before the next midnight, UTC),
    as `kiosk-server export --until 2026-11-23` does; a date-time stays the moment before
    which signatures count. The API stopped at the day's first moment."""
    import_mini(engine)
    kiosk = ApiClient.enroll(keyed_client, make_code(engine, "Kiosk A"))
    day = datetime(2026, 11, 23, tzinfo=UTC)
    kiosk.push(
        [
            mini_signature(key, person("Eve", "Before"), created_at=day - timedelta(hours=1)),
            mini_signature(key, person("Noon", "Same"), created_at=day + timedelta(hours=12)),
            mini_signature(key, person("Late", "Same"), created_at=day + timedelta(hours=23)),
            mini_signature(key, person("Next", "After"), created_at=day + timedelta(days=1)),
        ]
    )
    token = add_coordinator(engine)

    def firsts(**params: str) -> set[str]:
        r = keyed_client.get(
            f"{API_PREFIX}/exports/mini-test.csv",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
        return {x["first_name"] for x in _csv_rows(r.content)}

    assert firsts(until="2026-11-23") == {"Eve", "Noon", "Late"}
    assert firsts(since="2026-11-23", until="2026-11-23") == {"Noon", "Late"}
    assert firsts(until="2026-11-23T12:00:00Z") == {"Eve"}
    r = keyed_client.get(
        f"{API_PREFIX}/exports/mini-test.csv",
        params={"until": "9999-12-31"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422 and "until" in r.json()["detail"], r.text


def test_until_counts_a_whole_day_only_for_a_text_parsed_as_that_day() -> None:
    """``until=20261130`` reached the API as a Unix time (1970-08-23 12:05:30, its parser's
    reading of eight digits), and a day was added to that moment because the text is a date
    to :meth:`date.fromisoformat`; the command line reads the same text as the day itself."""
    day = datetime(2026, 11, 30, tzinfo=UTC)
    next_day = day + timedelta(days=1)
    assert server_exports.until_end("2026-11-30", day) == next_day
    assert server_exports.until_end(" 20261130 ", day) == next_day  # the command line's reading
    unix = datetime(1970, 8, 23, 12, 5, 30, tzinfo=UTC)  # the API's reading of "20261130"
    assert server_exports.until_end("20261130", unix) == unix
    noon = day + timedelta(hours=12)
    assert server_exports.until_end("2026-11-30T12:00:00Z", noon) == noon
    with pytest.raises(OverflowError):
        server_exports.until_end("9999-12-31", datetime(9999, 12, 31, tzinfo=UTC))


def test_http_csv_for_excel_starts_with_the_byte_order_mark(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    """``excel=true``: the UTF-8 byte-order mark first (before the TEST DATA line too), then
    the very bytes of the plain list; ``excel=false`` or none: no mark; a bad value: 422, as
    for ``include_synthetic``."""
    _seed(keyed_client, engine, key)
    auth = {"Authorization": f"Bearer {add_coordinator(engine)}"}
    url = f"{API_PREFIX}/exports/mini-test.csv"

    def get(**params: str) -> bytes:
        r = keyed_client.get(url, params=params, headers=auth)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.headers["content-disposition"] == 'attachment; filename="mini-test.csv"'
        return r.content

    plain, excel = get(), get(excel="true")
    assert plain.startswith(b"signature_id,") and get(excel="false") == plain
    assert excel == b"\xef\xbb\xbf" + plain
    rows = list(csv.DictReader(io.StringIO(excel.decode("utf-8-sig"))))
    assert rows == _csv_rows(plain) and len(rows) == 3
    marked = get(excel="true", include_synthetic="true")
    assert marked.startswith(b'\xef\xbb\xbf"TEST DATA, not signatures')
    assert marked[3:] == get(include_synthetic="true")
    for name in ("excel", "include_synthetic"):
        r = keyed_client.get(url, params={name: "maybe"}, headers=auth)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["error"] == "validation_failed"
        assert body["detail"].startswith(f"query.{name}: Input should be a valid boolean")


def test_http_pdf_export_prints_names_without_contacts(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    _seed(keyed_client, engine, key)
    token = add_coordinator(engine)
    r = keyed_client.get(
        f"{API_PREFIX}/exports/mini-test.pdf",
        params={"local": "evansville"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF")
    text = _pdf_text(r.content)
    assert "Alma Reyes" in text and "Carmen Ortiz" in text
    assert "Bruno Diaz" not in text  # another local campaign
    assert "Voided" not in text and "Synthetic" not in text
    assert "example.org" not in text and "Secret Street" not in text and "555" not in text
    assert "Evansville text." in text  # the exact text version signed
    assert "TEST DATA" not in text
    r = keyed_client.get(
        f"{API_PREFIX}/exports/mini-test.pdf",
        params={"local": "evansville", "include_synthetic": "true"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    pages = pypdf.PdfReader(io.BytesIO(r.content)).pages
    for page in pages:  # with synthetic signatures, every page says so, in both languages
        page_text = page.extract_text()
        assert "TEST DATA, not signatures" in page_text
        assert "DATOS DE PRUEBA, no son firmas" in page_text


def test_http_pdf_export_prints_comments_when_asked(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    """`comments=true` as the console's box and `--comments` (the API took it silently as no)."""
    import_mini(engine)
    kiosk = ApiClient.enroll(keyed_client, make_code(engine, "Kiosk A"))
    kiosk.push([mini_signature(key, person("Alma", "Reyes", comment="Protect our neighbors"))])
    token = add_coordinator(engine)

    def text(**params: str) -> str:
        r = keyed_client.get(
            f"{API_PREFIX}/exports/mini-test.pdf",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
        return _pdf_text(r.content)

    assert "Protect our neighbors" not in text()
    assert "Protect our neighbors" in text(comments="true")


def test_http_exports_refused_without_a_private_key(
    client: httpx.Client, engine: Engine, tmp_path: Path
) -> None:
    import_mini(engine)
    token = add_coordinator(engine)
    for suffix in ("csv", "pdf"):
        r = client.get(
            f"{API_PREFIX}/exports/mini-test.{suffix}", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 409, r.text
        assert r.json()["error"] == "no_private_key"


def test_http_export_of_unknown_campaign_is_404(keyed_client: httpx.Client, engine: Engine) -> None:
    token = add_coordinator(engine)
    r = keyed_client.get(
        f"{API_PREFIX}/exports/nope.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 404
    assert r.json()["error"] == "campaign_not_found"


def test_cli_exports_read_back(
    keyed_client: httpx.Client,
    engine: Engine,
    key: OrgKey,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _seed(keyed_client, engine, key)
    base = ["--database-url", db_url, "export"]
    out_csv = tmp_path / "all.csv"
    assert (
        server_main(
            [
                *base,
                "csv",
                "--campaign",
                "mini-test",
                "--out",
                str(out_csv),
                "--org-private-key-file",
                str(key.path),
            ]
        )
        == 0
    )
    assert len(_csv_rows(out_csv.read_bytes())) == 3
    assert "synthetic" not in capsys.readouterr().err
    # Synthetic signatures asked for: the file says TEST DATA, and so does the command.
    test_csv = tmp_path / "test.csv"
    args = [*base, "csv", "--campaign", "mini-test", "--out", str(test_csv)]
    assert server_main([*args, "--org-private-key-file", str(key.path), "--include-synthetic"]) == 0
    assert test_csv.read_bytes().startswith(b'"TEST DATA, not signatures')
    assert "synthetic signatures are included: every page says TEST DATA" in (
        capsys.readouterr().err
    )
    out_pdf = tmp_path / "packet.pdf"
    assert (
        server_main(
            [
                *base,
                "pdf",
                "--campaign",
                "mini-test",
                "--out",
                str(out_pdf),
                "--org-private-key-file",
                str(key.path),
                "--page-size",
                "a4",
            ]
        )
        == 0
    )
    written = sorted(tmp_path.glob("packet-*.pdf"))
    assert [p.name for p in written] == ["packet-evansville.pdf", "packet-st-louis-county.pdf"]
    assert "Bruno Diaz" in _pdf_text(written[1].read_bytes())
    whole = tmp_path / "whole.pdf"
    assert (
        server_main(
            [
                *base,
                "pdf",
                "--campaign",
                "mini-test",
                "--whole-campaign",
                "--out",
                str(whole),
                "--org-private-key-file",
                str(key.path),
            ]
        )
        == 0
    )
    text = _pdf_text(whole.read_bytes())
    assert all(n in text for n in ("Alma Reyes", "Bruno Diaz", "Carmen Ortiz"))
    assert "example.org" not in text
    capsys.readouterr()
    assert (
        server_main([*base, "csv", "--campaign", "mini-test", "--out", str(tmp_path / "x.csv")])
        == 1
    )
    assert "no organization private key" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_cli_csv_for_excel_starts_with_the_byte_order_mark(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey, db_url: str, tmp_path: Path
) -> None:
    _seed(keyed_client, engine, key)
    base = ["--database-url", db_url, "export", "csv", "--campaign", "mini-test"]
    base += ["--org-private-key-file", str(key.path)]
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert server_main([*base, "--out", str(plain)]) == 0
    assert server_main([*base, "--excel", "--out", str(excel)]) == 0
    assert plain.read_bytes().startswith(b"signature_id,")
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    rows = list(csv.DictReader(io.StringIO(excel.read_text("utf-8-sig"))))
    assert rows == _csv_rows(plain.read_bytes()) and len(rows) == 3
    marked = tmp_path / "marked.csv"
    assert server_main([*base, "--include-synthetic", "--excel", "--out", str(marked)]) == 0
    assert marked.read_bytes().startswith(b'\xef\xbb\xbf"TEST DATA, not signatures')
    with pytest.raises(SystemExit) as usage:  # a PDF has no such choice
        server_main(["--database-url", db_url, "export", "pdf", "--campaign", "x", "--excel"])
    assert usage.value.code == 2


def test_key_rotation_keeps_old_signatures_readable(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey, tmp_path: Path
) -> None:
    import_mini(engine)
    new_key = make_key(tmp_path, "org-2026.key")
    a = ApiClient.enroll(keyed_client, make_code(engine))
    a.push(
        [
            mini_signature(key, person("Old", "Keyholder")),
            mini_signature(new_key, person("New", "Keyholder")),
        ]
    )
    query = server_exports.ExportQuery("mini-test")
    with engine.connect() as conn:
        only_new = ServerSettings(
            database_url="sqlite://", org_private_key_files=(str(new_key.path),)
        ).keyring()
        data, result = server_exports.export_csv(conn, only_new, query)
        assert [r["first_name"] for r in _csv_rows(data)] == ["New"]
        assert result.undecryptable == 1
        both = ServerSettings(
            database_url="sqlite://", org_private_key_files=(str(new_key.path), str(key.path))
        ).keyring()
        data, result = server_exports.export_csv(conn, both, query)
    assert sorted(r["first_name"] for r in _csv_rows(data)) == ["New", "Old"]
    assert result.undecryptable == 0


def test_unknown_text_version_is_skipped_and_counted(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    import_mini(engine)
    a = ApiClient.enroll(keyed_client, make_code(engine))
    a.push(
        [
            mini_signature(key, person("Known", "Version")),
            mini_signature(key, person("Mystery", "Version"), text_version="cd" * 32),
        ]
    )
    with engine.connect() as conn:
        ring = ServerSettings(
            database_url="sqlite://", org_private_key_files=(str(key.path),)
        ).keyring()
        packets, result = server_exports.export_packets(
            conn, ring, server_exports.ExportQuery("mini-test"), per_local=False
        )
    assert result.unknown_version == 1 and result.records == 1
    assert sum(p.signature_count for _n, p in packets) == 1


def test_coordinator_stats_count_unique_signers(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    names = _seed(keyed_client, engine, key)
    a = ApiClient.enroll(keyed_client, make_code(engine, "Kiosk C"))
    # the same signer again, typed differently
    a.push([mini_signature(key, person("ALMA ", "réyes"), "evansville")])
    token = add_coordinator(engine)
    r = keyed_client.get(f"{API_PREFIX}/stats", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    body = CoordinatorStatsResponse.model_validate_json(r.content)
    assert body.campaigns == {"mini-test": 4}
    assert body.locals == {"mini-test/evansville": 3, "mini-test/st-louis-county": 1}
    assert body.unique_signers == {"mini-test": 3}
    assert body.voided == 1 and body.synthetic == 1 and body.undecryptable == 0
    assert sorted(body.devices.values()) == [1, 1, 2]
    assert len(names) == 3


def test_coordinator_stats_without_key_have_no_unique_count(
    client: httpx.Client, engine: Engine
) -> None:
    token = add_coordinator(engine)
    r = client.get(f"{API_PREFIX}/stats", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json()["unique_signers"] is None
    with engine.connect() as conn:
        (who,) = coordinators.list_all(conn)
    assert who.last_seen_at is not None


# --- the server's own audit trail ---------------------------------------------------------------


def test_every_export_is_in_the_servers_audit_trail(
    keyed_client: httpx.Client,
    engine: Engine,
    key: OrgKey,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kiosk.server import audit

    _seed(keyed_client, engine, key)
    token = add_coordinator(engine)
    auth = {"Authorization": f"Bearer {token}"}
    assert keyed_client.get(f"{API_PREFIX}/exports/mini-test.csv", headers=auth).status_code == 200
    r = keyed_client.get(
        f"{API_PREFIX}/exports/mini-test.pdf",
        params={"local": "evansville", "lang": "es", "since": "2020-01-01T00:00:00Z"},
        headers=auth,
    )
    assert r.status_code == 200
    # refused exports (unknown campaign, bad token) read nothing back: nothing to record
    assert keyed_client.get(f"{API_PREFIX}/exports/nope.csv", headers=auth).status_code == 404
    assert (
        keyed_client.get(
            f"{API_PREFIX}/exports/mini-test.csv", headers={"Authorization": "Bearer " + "x" * 40}
        ).status_code
        == 401
    )
    out = tmp_path / "all.csv"
    assert (
        server_main(
            [
                "--database-url",
                db_url,
                "export",
                "csv",
                "--campaign",
                "mini-test",
                "--out",
                str(out),
                "--org-private-key-file",
                str(key.path),
            ]
        )
        == 0
    )
    with engine.connect() as conn:
        trail = audit.server_entries(conn)
        assert audit.verify_server(conn).ok
    assert [e.action for e in trail] == ["export_csv", "export_pdf", "export_csv"]
    http_csv, http_pdf, cli_csv = (e.detail for e in trail)
    assert http_csv["channel"] == "http" and http_csv["records"] == 3
    assert http_csv["coordinator"] == http_pdf["coordinator"]
    assert http_pdf == {
        **http_pdf,
        "campaign": "mini-test",
        "local_campaign": "evansville",
        "lang": "es",
        "records": 2,
        "include_synthetic": False,
    }
    assert http_pdf["since"].startswith("2020-01-01")
    assert cli_csv["channel"] == "cli" and cli_csv["user"] and cli_csv["records"] == 3
    # never a signer's personal data in the trail
    dumped = json.dumps([e.detail for e in trail])
    for secret in ("Alma", "Reyes", "example.org", "Secret Street", "47708"):
        assert secret not in dumped
    capsys.readouterr()
    assert server_main(["--database-url", db_url, "audit", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("export_csv") == 2 and "export_pdf" in listed


def test_coordinator_and_device_changes_are_audited_and_tampering_is_found(
    api: ApiClient, engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import text

    base = ["--database-url", db_url]
    assert server_main([*base, "coordinators", "add", "--name", "Ana"]) == 0
    assert server_main([*base, "coordinators", "revoke", "1"]) == 0
    assert server_main([*base, "coordinators", "revoke", "1"]) == 0  # already: nothing new
    assert server_main([*base, "devices", "revoke", api.device_id]) == 0
    capsys.readouterr()
    assert server_main([*base, "audit", "verify"]) == 0
    assert "server: ok (3 entries)" in capsys.readouterr().out
    with engine.begin() as conn:
        actions = conn.execute(text("SELECT action FROM server_audit ORDER BY seq")).scalars()
        assert list(actions) == ["coordinator_added", "coordinator_revoked", "device_revoked"]
        # someone with database access hides who revoked the device
        conn.execute(
            text("UPDATE server_audit SET detail = :d WHERE seq = 3"),
            {"d": json.dumps({"device": api.device_id, "user": "nobody"})},
        )
    assert server_main([*base, "audit", "verify"]) == 1
    assert "server: BROKEN at entry 3: was altered" in capsys.readouterr().out
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM server_audit WHERE seq = 2"))
    assert server_main([*base, "audit", "verify"]) == 1
    assert "server: BROKEN at entry 3: entry 2 is missing" in capsys.readouterr().out


def test_unique_signers_follow_later_pushes_and_voids(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    _seed(keyed_client, engine, key)
    token = add_coordinator(engine)

    def unique() -> dict[str, int] | None:
        r = keyed_client.get(f"{API_PREFIX}/stats", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        return CoordinatorStatsResponse.model_validate_json(r.content).unique_signers

    assert unique() == {"mini-test": 3}
    b = ApiClient.enroll(keyed_client, make_code(engine, "Kiosk D"))
    again = mini_signature(key, person("Carmen", "ORTIZ"), "evansville")
    dora = mini_signature(key, person("Dora", "Vega"), "evansville")
    b.push([again, dora])
    assert unique() == {"mini-test": 4}  # Carmen twice is one signer
    b.push([], voids=[void(again.id)])
    assert unique() == {"mini-test": 4}  # her first signature still counts
    b.push([], voids=[void(dora.id)])
    assert unique() == {"mini-test": 3}
    with engine.connect() as conn:  # kept as 16-byte keyed digests, never names
        digests = conn.execute(select(SignerCount.signer)).scalars().all()
    assert digests and all(len(d) == 16 for d in digests)


def test_a_typed_signature_is_kept_as_typed_and_printed_as_typed(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey
) -> None:
    """Issue #17: the server keeps how a signature was made and its packet says so."""
    from kiosk.domain.ink import Ink
    from kiosk.server.models import Signature

    import_mini(engine)
    kiosk = ApiClient.enroll(keyed_client, make_code(engine, "Kiosk A"))
    typed = mini_signature(
        key,
        person("Dora", "Luz", ink=Ink(900, 300, ()), typed_name="Dora María Luz"),
        "evansville",
        method="typed_witnessed",
    )
    drawn = mini_signature(key, person("Alma", "Reyes"), "evansville")
    kiosk.push([typed, drawn])
    with engine.connect() as conn:
        kept = dict(conn.execute(select(Signature.id, Signature.method)).all())
    assert kept == {typed.id: "typed_witnessed", drawn.id: "drawn"}
    token = add_coordinator(engine)
    r = keyed_client.get(
        f"{API_PREFIX}/exports/mini-test.pdf",
        params={"local": "evansville"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    text = " ".join(_pdf_text(r.content).split())
    assert "Dora María Luz" in text
    assert "Typed signature, witnessed by kiosk staff (PIN)" in text
    assert text.count("Typed signature") == 1  # the drawn one is not marked


def test_cli_pdf_export_has_the_kiosk_s_packet_options(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey, db_url: str, tmp_path: Path
) -> None:
    """After sync a kiosk may keep no personal data: packets are made on the server, which
    had no --comments, --split-by-state or --per-file (`kiosk export pdf` has them)."""
    import_mini(engine)
    a = ApiClient.enroll(keyed_client, make_code(engine, "Kiosk A"))
    a.push(
        [
            mini_signature(
                key, person("Alma", "Reyes", comment="Protejan a mi familia"), "evansville"
            ),
            mini_signature(
                key, person("Bruno", "Diaz", "63105", comment="Now!"), "st-louis-county"
            ),
        ]
    )
    base = ["--database-url", db_url, "export", "pdf", "--campaign", "mini-test"]
    base += ["--org-private-key-file", str(key.path), "--whole-campaign"]
    by_state = tmp_path / "state.pdf"
    args = [*base, "--split-by-state", "--comments", "--out", str(by_state)]
    assert server_main(args) == 0
    written = sorted(p.name for p in tmp_path.glob("state-*.pdf"))
    assert written == ["state-in.pdf", "state-mo.pdf"]
    text = _pdf_text((tmp_path / "state-in.pdf").read_bytes())
    assert "Signers in IN" in text and "Protejan a mi familia" in text and "Bruno" not in text
    assert "Now!" in _pdf_text((tmp_path / "state-mo.pdf").read_bytes())
    parts = tmp_path / "parts.pdf"
    assert server_main([*base, "--per-file", "1", "--out", str(parts)]) == 0
    written = sorted(p.name for p in tmp_path.glob("parts-*.pdf"))
    assert written == ["parts-part01.pdf", "parts-part02.pdf"]
    text = _pdf_text((tmp_path / "parts-part02.pdf").read_bytes())
    assert "Part 2 of 2" in text and "Protejan" not in text  # no --comments this time


@pytest.mark.parametrize("split", [{}, {"split_state": True}, {"per_file": 2}])
def test_packets_drawn_one_local_campaign_at_a_time_are_the_packets_of_all_at_once(
    keyed_client: httpx.Client, engine: Engine, key: OrgKey, split: dict[str, Any]
) -> None:
    """``iter_packets`` opens one local campaign's signatures at a time (the console's jobs and
    ``kiosk-server export`` draw a campaign of 200,000 so); its packets are exactly those of
    grouping every signature at once: the same names, in the same order, the same rows in each
    (local campaigns interleaved in time, the parent's own signatures, one of an unknown text
    version, a voided one and a synthetic one left out)."""
    from kiosk.adapters.geo import ZipcodesDirectory
    from kiosk.exports import build_packets

    import_mini(engine)
    client = ApiClient.enroll(keyed_client, make_code(engine))
    start = datetime(2026, 11, 2, 15, tzinfo=UTC)
    plan = [  # (local campaign, name, ZIP); one a minute
        ("st-louis-county", "Bruno Diaz", "63105"),
        (None, "Parent One", "47708"),
        ("evansville", "Alma Reyes", "47708"),
        ("st-louis-county", "Dora Lima", "63105"),
        ("evansville", "Carmen Ortiz", "47708"),
        (None, "Parent Two", "63105"),
        ("evansville", "Eva Soto", "63105"),
        ("st-louis-county", "Fede Ruiz", "47708"),
    ]
    sigs = [
        mini_signature(
            key, person(*name.split(), zip_code), local, created_at=start + timedelta(minutes=i)
        )
        for i, (local, name, zip_code) in enumerate(plan)
    ]
    gone = mini_signature(key, person("Voided", "Person"), "evansville", created_at=start)
    fake = mini_signature(key, person("Synthetic", "Demo"), None, synthetic=True)
    odd = mini_signature(key, person("Mystery", "Version"), "evansville", text_version="cd" * 32)
    client.push([*sigs, gone, fake, odd], voids=[void(gone.id)])
    ring = ServerSettings(
        database_url="sqlite://", org_private_key_files=(str(key.path),)
    ).keyring()
    query = server_exports.ExportQuery("mini-test")
    with engine.connect() as conn:
        streamed_result = server_exports.ServerExportResult()
        streamed = list(server_exports.iter_packets(conn, ring, query, streamed_result, **split))
        everything = server_exports.collect(conn, ring, query, server_exports.ServerExportResult())
        campaign = server_exports.load_campaign(conn, "mini-test")
        versions = server_exports.ServerTextVersions(conn).text_version
        known = [r for r in everything if versions(r.meta.text_version) is not None]
        at_once = build_packets(known, campaign, versions, ZipcodesDirectory(), **split)

    def rows(packets: list[tuple[str, Any]]) -> list[tuple[str, list[str]]]:
        return [(name, [r.printed_name for r in p.rows()]) for name, p in packets]

    assert rows(streamed) == rows(at_once)
    assert streamed_result.groups == 3
    assert (streamed_result.records, streamed_result.unknown_version) == (8, 1)
    if not split:
        assert [name for name, _ in streamed] == ["st-louis-county", "mini-test", "evansville"]

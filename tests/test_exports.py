"""Exports from the kiosk: the passphrase is required; the CSV round-trips through csv."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.app import open_kiosk
from kiosk.domain.validation import TypedSignature
from kiosk.exports import CSV_COLUMNS
from tests.helpers import entry, ink, kiosk_command

PASS = "coordinator passphrase"
CAMPAIGN = "defy-trump-expand-sanctuary"


def run(
    data_dir: Path, *args: str, passphrase: str | None = PASS
) -> subprocess.CompletedProcess[str]:
    env = {"KIOSK_PASSPHRASE": passphrase} if passphrase is not None else None
    return kiosk_command(data_dir, *args, env=env, timeout=120)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    kiosk = open_kiosk(tmp_path)
    kiosk.keys.init(PASS)
    s = kiosk.service()
    people = [
        dict(
            first_name="José", last_name="Núñez", zip="47708", email="jose@example.org", opt_in=True
        ),
        dict(
            first_name="Nguyễn", last_name="Thị Ánh", zip="47708", email="", phone="+1 812 555 0100"
        ),
        dict(first_name="محمد", last_name="O'Brien", zip="55802", email="=cmd@example.org"),
        dict(first_name="Zoë", last_name="李", zip="47708", email="zoe@example.org"),
    ]
    metas = []
    for i, p in enumerate(people):
        local = s.route(CAMPAIGN, p["zip"])
        metas.append(
            s.submit(
                CAMPAIGN,
                local.slug if local else None,
                entry(**p),
                ink(i),
                "es",
                consent_text="Envíenme noticias.",
            )
        )
    s.void(metas[3].id, "signed twice on paper")
    kiosk.close()
    return tmp_path


def test_csv_export_round_trips_and_leaves_out_voided(filled: Path) -> None:
    out = filled / "usb" / "contacts.csv"
    out.parent.mkdir()
    res = run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "wrote 3 signatures" in res.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["first_name"] for r in rows] == ["José", "Nguyễn", "محمد"]
    assert rows[0]["opt_in"] == "yes" and rows[0]["consent_text"] == "Envíenme noticias."
    assert rows[1]["opt_in"] == "no" and rows[1]["consent_text"] == ""
    assert rows[1]["phone"] == "+18125550100"
    assert rows[0]["local_campaign"] == "evansville" and rows[2]["local_campaign"] == ""
    assert rows[2]["email"] == "'=cmd@example.org"  # no spreadsheet formula injection
    only = run(
        filled,
        "export",
        "csv",
        "--campaign",
        CAMPAIGN,
        "--local",
        "evansville",
        "--opted-in-only",
        "--out",
        str(out),
    )
    assert only.returncode == 0 and "wrote 1 signature" in only.stdout


def test_export_refused_without_the_passphrase(filled: Path) -> None:
    out = filled / "x.csv"
    wrong = run(
        filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(out), passphrase="nope nope"
    )
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
    none = run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(out), passphrase=None)
    assert none.returncode == 2 and "KIOSK_PASSPHRASE" in none.stderr
    assert not out.exists()
    actions = [e.action for e in open_kiosk(filled).store.audit_entries()]
    assert "unlock_failed" in actions and "export" not in actions


def test_export_bad_options(filled: Path) -> None:
    out = str(filled / "x.csv")
    assert (
        run(
            filled, "export", "csv", "--campaign", CAMPAIGN, "--local", "atlantis", "--out", out
        ).returncode
        == 2
    )
    assert (
        run(
            filled, "export", "csv", "--campaign", CAMPAIGN, "--since", "yesterday", "--out", out
        ).returncode
        == 2
    )
    unwritable = run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", "/proc/x.csv")
    assert unwritable.returncode == 1 and "cannot write /proc/x.csv: " in unwritable.stderr
    assert ".tmp" not in unwritable.stderr  # the file asked for, not the temporary one
    assert "Traceback" not in unwritable.stderr


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_pdf_export_one_packet_per_decision_maker_without_contacts(filled: Path) -> None:
    from pypdf import PdfReader

    out = filled / "usb" / "packet.pdf"
    out.parent.mkdir()
    res = run(filled, "export", "pdf", "--campaign", CAMPAIGN, "--out", str(out))
    assert res.returncode == 0, res.stderr
    evansville = filled / "usb" / "packet-evansville.pdf"
    parent = filled / "usb" / f"packet-{CAMPAIGN}.pdf"
    assert evansville.exists() and parent.exists(), res.stdout
    text = _pdf_text(evansville)
    assert "Mayor Denise Lynn" in text
    assert "José Núñez" in text and "Evansville, IN 47708" in text
    assert "Zoë" not in text  # voided
    for secret in ("jose@example.org", "8125550100", "812 555", "@example"):
        assert secret not in text
    assert "محمد" not in text  # signed from Duluth: in the parent campaign's packet
    assert "Duluth" in _pdf_text(parent)
    # They all read it in Spanish: the English packet prints that wording too, with its count
    # (the language each signer read comes from the signature's record).
    cover = " ".join(PdfReader(evansville).pages[0].extract_text().split())
    assert "The text in Spanish, as 2 signers read it" in cover
    assert "Donald Trump acaba de anunciar" in cover
    assert "The text in English, for reference (no signer here read it in English)" in cover
    # One local campaign's packet with --out: that very file, and one line saying so.
    one = filled / "usb" / "evansville-for-the-mayor.pdf"
    res = run(
        filled, "export", "pdf", "--campaign", CAMPAIGN, "--local", "evansville", "--out", str(one)
    )
    assert res.returncode == 0, res.stderr
    assert one.exists() and "Mayor Denise Lynn" in _pdf_text(one)
    assert not list((filled / "usb").glob("evansville-for-the-mayor-*"))
    assert res.stdout.count("wrote ") == 1 and str(one) in res.stdout


def test_pdf_export_whole_campaign_a4_spanish_and_refusals(filled: Path) -> None:
    from pypdf import PdfReader

    out = filled / "all.pdf"
    res = run(
        filled,
        "export",
        "pdf",
        "--campaign",
        CAMPAIGN,
        "--whole-campaign",
        "--page-size",
        "a4",
        "--lang",
        "es",
        "--rows-per-sheet",
        "2",
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    reader = PdfReader(out)
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4
    assert (
        len(reader.pages) >= 3
    )  # cover + 3 signatures at 2 a sheet, in two sections (local and parent texts)
    assert (
        run(
            filled,
            "export",
            "pdf",
            "--campaign",
            CAMPAIGN,
            "--out",
            str(out),
            passphrase="wrong one",
        ).returncode
        == 1
    )
    none = run(
        filled,
        "export",
        "pdf",
        "--campaign",
        CAMPAIGN,
        "--since",
        "2099-01-01",
        "--out",
        str(filled / "none.pdf"),
    )
    assert none.returncode == 1 and "nothing exported" in none.stderr
    bad = run(
        filled, "export", "pdf", "--campaign", CAMPAIGN, "--rows-per-sheet", "0", "--out", str(out)
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr == "kiosk: error: --rows-per-sheet must be 1 to 30\n"  # the option's name


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_an_event_this_kiosk_does_not_have_is_named(filled: Path, kind: str) -> None:
    """It was "no signatures match: nothing exported", as for a known event with none."""
    out = str(filled / f"x.{kind}")
    res = run(filled, "export", kind, "--campaign", CAMPAIGN, "--event", "nope", "--out", out)
    assert res.returncode == 2
    assert res.stderr == (
        "kiosk: error: no event 'nope' on this kiosk (`kiosk status` lists its events)\n"
    )
    app = open_kiosk(filled)  # signatures recorded with an event id, no row for it: known
    try:
        s = app.service()
        local = s.route(CAMPAIGN, "47708")
        s.submit(
            CAMPAIGN,
            local.slug if local else None,
            entry(first_name="Ana", last_name="Ruiz", email="ana@example.org", phone=""),
            ink(9),
            "en",
            event_id="rally-1",
        )
    finally:
        app.close()
    res = run(filled, "export", kind, "--campaign", CAMPAIGN, "--event", "rally-1", "--out", out)
    assert res.returncode == 0 and "wrote 1 signature" in res.stdout, res.stderr


def test_with_the_passphrase_exports_match_the_originals_byte_for_byte(tmp_path: Path) -> None:
    """What the signer gave (as the service sealed it, ink included) comes back unchanged: the
    opened bytes equal the sealed plaintext, and the CSV equals one written from the plaintext."""
    from kiosk.app import SETTING_DEDUPE_SECRET
    from kiosk.domain.ports import SignatureFilter
    from kiosk.domain.service import SigningService
    from kiosk.domain.signature import PersonalData
    from kiosk.exports import ExportRecord, write_csv

    kiosk = open_kiosk(tmp_path)
    kiosk.keys.init(PASS)
    plaintext: dict[bytes, bytes] = {}
    real = kiosk.keys.sealer()

    class Recording:  # the real sealer; it also remembers what it was given
        def seal(self, data: bytes) -> bytes:
            sealed = real.seal(data)
            plaintext[sealed] = data
            return sealed

    secret = kiosk.store.get_setting(SETTING_DEDUPE_SECRET)
    s = SigningService(
        kiosk.store,
        kiosk.catalog,
        Recording(),
        bytes.fromhex(secret),
        kiosk.kiosk_id,
        kiosk.directory,
        clock=kiosk.clock,
    )
    people = [
        dict(
            first_name="José", last_name="Núñez", zip="47708", email="jose@example.org", opt_in=True
        ),
        dict(first_name="Nguyễn", last_name="Thị Ánh", zip="47708", phone="+1 812 555 0100"),
        dict(first_name="محمد", last_name="O'Brien", zip="55802", email="=cmd@example.org"),
        dict(first_name="Zoë", last_name="李-O'Neil Ba", zip="47708", email="zoe@example.org"),
    ]
    for i, p in enumerate(people):
        s.submit(CAMPAIGN, None, entry(**p), ink(i), "es", consent_text="Envíenme noticias.")
    assert len(plaintext) == len(people)
    opener = kiosk.keys.unlock(PASS)
    stored = list(kiosk.store.iter_signatures(SignatureFilter(campaign=CAMPAIGN)))
    for sig in stored:
        assert opener.open(sig.signature.sealed) == plaintext[sig.signature.sealed]
    expected = io.StringIO(newline="")
    write_csv(
        (
            ExportRecord(
                x.signature.meta, PersonalData.from_bytes(plaintext[x.signature.sealed]), None
            )
            for x in stored
        ),
        expected,
    )
    kiosk.close()
    out = tmp_path / "usb" / "contacts.csv"
    out.parent.mkdir()
    res = run(tmp_path, "export", "csv", "--campaign", CAMPAIGN, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == expected.getvalue().encode("utf-8")
    assert "Nguyễn" in out.read_text("utf-8")


# -- synthetic signatures: the same answer for PDF and CSV, and TEST DATA on every page -----


@pytest.fixture
def simulated(tmp_path: Path) -> Path:
    """A kiosk with 6 synthetic signatures (`kiosk simulate`) and nothing else."""
    kiosk = open_kiosk(tmp_path)
    kiosk.keys.init(PASS)
    from kiosk.simulate import simulate

    simulate(kiosk.service(), CAMPAIGN, 6, 3, None, None)
    kiosk.close()
    return tmp_path


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_only_synthetic_signatures_same_answer_for_pdf_and_csv(simulated: Path, kind: str) -> None:
    out = simulated / f"out.{kind}"
    res = run(simulated, "export", kind, "--campaign", CAMPAIGN, "--out", str(out))
    assert res.returncode == 1, res.stdout
    assert res.stderr.strip() == (
        "kiosk: error: no signatures match: nothing exported; 6 synthetic signatures were left "
        "out, add --include-synthetic"
    )
    assert not out.exists()


def test_synthetic_pdf_says_test_data_on_every_page_in_both_languages(simulated: Path) -> None:
    from pypdf import PdfReader

    out = simulated / "packet.pdf"
    res = run(
        simulated,
        "export",
        "pdf",
        "--campaign",
        CAMPAIGN,
        "--whole-campaign",
        "--rows-per-sheet",
        "2",
        "--include-synthetic",
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "TEST DATA" in res.stderr
    pages = PdfReader(out).pages
    assert len(pages) >= 4  # a cover and three sheets at least
    for page in pages:
        text = page.extract_text()
        assert "TEST DATA, not signatures" in text
        assert "DATOS DE PRUEBA, no son firmas" in text


def test_csv_says_how_each_signer_signed_and_where(tmp_path: Path) -> None:
    """The method (drawn, typed, typed and witnessed) and the event's place: a clerk counting
    drawn signatures, or a typed one to confirm, needs both."""
    kiosk = open_kiosk(tmp_path)
    kiosk.keys.init(PASS)
    services = kiosk.services()
    services.events.save("Plaza rally", "Peavey Plaza, Minneapolis")
    for first, typed in (
        ("Ana", None),
        ("Beto", TypedSignature("Beto Ruiz", confirmed=True, witnessed=False)),
        ("Cruz", TypedSignature("Cruz Ruiz", confirmed=True, witnessed=True)),
    ):
        services.signing.submit(
            CAMPAIGN,
            None,
            entry(first_name=first, last_name="Ruiz", zip="55802"),
            None if typed else ink(1),
            "es",
            "",
            typed,
        )
    kiosk.close()
    out = tmp_path / "contacts.csv"
    res = run(tmp_path, "export", "csv", "--campaign", CAMPAIGN, "--out", str(out))
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert list(CSV_COLUMNS)[-2:] == ["signature_method", "event_location"]
    assert [(r["first_name"], r["signature_method"]) for r in rows] == [
        ("Ana", "drawn"),
        ("Beto", "typed"),
        ("Cruz", "typed_witnessed"),
    ]
    assert {(r["event"], r["event_location"]) for r in rows} == {
        ("Plaza rally", "Peavey Plaza, Minneapolis")
    }


def test_synthetic_csv_starts_with_the_test_data_line(simulated: Path) -> None:
    out = simulated / "contacts.csv"
    res = run(
        simulated, "export", "csv", "--campaign", CAMPAIGN, "--include-synthetic", "--out", str(out)
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == '"TEST DATA, not signatures · DATOS DE PRUEBA, no son firmas"'
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert len(rows) == 6 and {r["synthetic"] for r in rows} == {"yes"}


def test_csv_for_excel_starts_with_a_byte_order_mark_and_only_then(filled: Path) -> None:
    """``--excel``: the UTF-8 byte-order mark first (Excel on Windows then reads "José" right),
    and otherwise the very bytes of the plain list; without it, no mark."""
    plain, excel = filled / "plain.csv", filled / "excel.csv"
    for out, extra in ((plain, ()), (excel, ("--excel",))):
        res = run(filled, "export", "csv", "--campaign", CAMPAIGN, *extra, "--out", str(out))
        assert res.returncode == 0, res.stderr
        assert "wrote 3 signatures" in res.stdout
    assert plain.read_bytes().startswith(b"signature_id,")
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    rows = list(csv.DictReader(io.StringIO(excel.read_text("utf-8-sig"))))
    assert rows == list(csv.DictReader(io.StringIO(plain.read_text("utf-8"))))
    assert list(rows[0]) == list(CSV_COLUMNS) and rows[0]["first_name"] == "José"


def test_csv_for_excel_puts_the_mark_before_the_test_data_line(simulated: Path) -> None:
    out = simulated / "contacts.csv"
    res = run(
        simulated,
        "export",
        "csv",
        "--campaign",
        CAMPAIGN,
        "--include-synthetic",
        "--excel",
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert out.read_bytes().startswith(b'\xef\xbb\xbf"TEST DATA, not signatures')
    lines = out.read_text("utf-8-sig").splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert len(rows) == 6 and {r["synthetic"] for r in rows} == {"yes"}


def test_real_signatures_carry_no_test_data_mark(filled: Path) -> None:
    out = filled / "real.pdf"
    res = run(
        filled,
        "export",
        "pdf",
        "--campaign",
        CAMPAIGN,
        "--whole-campaign",
        "--include-synthetic",
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "TEST DATA" not in _pdf_text(out) and "DEMO" not in _pdf_text(out)
    csv_out = filled / "real.csv"
    assert (
        run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(csv_out)).returncode == 0
    )
    assert csv_out.read_text("utf-8").startswith("signature_id,")


# -- a damaged row, and where exports go by default ----------------------------------------


@pytest.mark.parametrize(
    ("change", "logged"),
    [
        ("UPDATE signature_sealed SET sealed = 'not bytes at all' WHERE seq = 2", ""),
        ("UPDATE signatures SET id = 'not-a-uuid' WHERE seq = 2", "signature row 2"),
        ("UPDATE signatures SET created_ms = 'yesterday' WHERE seq = 2", "signature row 2"),
    ],
    ids=["sealed-text", "id", "time"],
)
def test_a_damaged_row_is_reported_and_the_rest_exported(
    filled: Path, change: str, logged: str
) -> None:
    """A row altered in the store file (sealed data that is text, an id that is no UUID, a time
    that is text) is left out of both exports and counted as unreadable, logged by its ``seq``
    only where its metadata cannot be read; the rest is exported, with no traceback."""
    import sqlite3

    conn = sqlite3.connect(filled / "kiosk.db")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(change)
    conn.commit()
    conn.close()
    out = filled / "contacts.csv"
    res = run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "1 signature left out: unreadable" in res.stderr
    if logged:
        assert f"{logged} cannot be read back" in res.stderr
    assert "not-a-uuid" not in res.stderr and "yesterday" not in res.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [r["first_name"] for r in rows] == ["José", "محمد"]
    pdf = run(
        filled,
        "export",
        "pdf",
        "--campaign",
        CAMPAIGN,
        "--whole-campaign",
        "--out",
        str(filled / "p.pdf"),
    )
    assert pdf.returncode == 0 and "1 signature left out: unreadable" in pdf.stderr
    assert "José Núñez" in _pdf_text(filled / "p.pdf")


def test_without_out_exports_go_to_the_exports_folder(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "exports-here"
    monkeypatch.setenv("KIOSK_EXPORT_DIR", str(folder))
    first = run(filled, "export", "csv", "--campaign", CAMPAIGN)
    second = run(filled, "export", "csv", "--campaign", CAMPAIGN)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    made = sorted(p.name for p in folder.iterdir())
    assert len(made) == 2 and all(n.startswith(f"{CAMPAIGN}-contacts-") for n in made)
    assert str(folder) in first.stdout
    pdf = run(filled, "export", "pdf", "--campaign", CAMPAIGN)
    assert pdf.returncode == 0, pdf.stderr
    assert any(n.endswith(".pdf") for n in (p.name for p in folder.iterdir()))
    # There, on the tablet's own disk, the signers are in clear: deleted after a day (the app
    # while idle, `kiosk retention apply`), which the command says.
    for res in (first, second, pdf):
        assert "deleted after 24 hours" in res.stderr, res.stderr
    day_ago = time.time() - 25 * 3600
    for p in folder.iterdir():
        os.utime(p, (day_ago, day_ago))
    kept = folder / "my-notes.csv"
    kept.write_text("not an export")
    os.utime(kept, (day_ago, day_ago))
    applied = run(filled, "retention", "apply", "--yes")
    assert applied.returncode == 0, applied.stderr
    assert [p.name for p in folder.iterdir()] == ["my-notes.csv"]
    assert "export files saved in" in applied.stdout
    chosen = run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(tmp_path / "a.csv"))
    assert chosen.returncode == 0 and "deleted after" not in chosen.stderr


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_out_naming_a_folder_writes_into_it_under_the_usual_names(
    filled: Path, tmp_path: Path, kind: str
) -> None:
    """Audit (newcomer) item 5: ``--out DIR/`` wrote ``DIR-evansville.pdf`` beside the folder,
    and one file (``--whole-campaign``, a CSV) failed naming a temporary file."""
    folder = tmp_path / "out-here"
    folder.mkdir()
    extra = ["--whole-campaign"] if kind == "pdf" else []
    for given in (f"{folder}/", str(folder)):  # with the slash or without: a folder
        res = run(filled, "export", kind, "--campaign", CAMPAIGN, *extra, "--out", given)
        assert res.returncode == 0, res.stderr
    what = "packet" if kind == "pdf" else "contacts"
    made = sorted(p.name for p in folder.iterdir())
    assert len(made) == 2 and all(n.startswith(f"{CAMPAIGN}-{what}-") for n in made), made
    assert any(n.endswith(f"-2.{kind}") for n in made)  # never over the earlier export
    assert not list(tmp_path.glob("out-here?*"))  # nothing beside the folder
    if kind == "pdf":  # one packet per decision-maker: each in the folder, named as usual
        res = run(filled, "export", "pdf", "--campaign", CAMPAIGN, "--out", str(folder))
        assert res.returncode == 0, res.stderr
        packets = [p for p in folder.iterdir() if p.name.endswith("-evansville.pdf")]
        assert len(packets) == 1 and packets[0].name.startswith(f"{CAMPAIGN}-packet-")


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_out_in_a_missing_folder_is_refused_not_made(
    filled: Path, tmp_path: Path, kind: str
) -> None:
    """Personal data goes only where the coordinator chose: a typo's folder is not made."""
    missing = tmp_path / "no" / "such"
    for given, folder in ((f"{missing}/x.{kind}", missing), (f"{missing}/", missing)):
        res = run(filled, "export", kind, "--campaign", CAMPAIGN, "--out", given)
        assert res.returncode == 2, res.stderr
        assert f"folder {folder} does not exist" in res.stderr
        assert "Traceback" not in res.stderr
    assert not (tmp_path / "no").exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    res = run(filled, "export", kind, "--campaign", CAMPAIGN, "--out", f"{a_file}/x.{kind}")
    assert res.returncode == 2 and f"{a_file} is not a folder" in res.stderr


def test_relative_exports_in_the_repository_are_ignored_by_git() -> None:
    from tests.helpers import ROOT

    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for name in ("sheets.pdf", "sheets-evansville.pdf", "contacts.csv"):
        check = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", name], timeout=30)
        assert check.returncode == 0, f"{name} is not ignored"


def test_a_demo_kiosks_exports_say_demo_on_every_page(tmp_path: Path) -> None:
    from kiosk.app import open_demo_kiosk
    from kiosk.demo import DEMO_PASSPHRASE

    kiosk = open_demo_kiosk(tmp_path)
    s = kiosk.service()
    for i, (first, zip_code) in enumerate((("Ana", "47708"), ("Luis", "55802"), ("Eva", "47708"))):
        local = s.route(CAMPAIGN, zip_code)
        s.submit(
            CAMPAIGN,
            local.slug if local else None,
            entry(first_name=first, zip=zip_code, email=f"{first}@example.org"),
            ink(i),
            "en",
        )
    kiosk.close()
    out = tmp_path / "demo.pdf"
    res = run(
        tmp_path,
        "--demo",
        "export",
        "pdf",
        "--campaign",
        CAMPAIGN,
        "--whole-campaign",
        "--rows-per-sheet",
        "1",
        "--out",
        str(out),
        passphrase=DEMO_PASSPHRASE,
    )
    assert res.returncode == 0, res.stderr
    from pypdf import PdfReader

    pages = PdfReader(out).pages
    assert len(pages) >= 4
    for page in pages:
        text = page.extract_text()
        assert "DEMO: not real signatures" in text and "DEMO: no son firmas reales" in text
        assert "TEST DATA" not in text  # real-looking entries, not synthetic
    csv_out = tmp_path / "demo.csv"
    res = run(
        tmp_path,
        "--demo",
        "export",
        "csv",
        "--campaign",
        CAMPAIGN,
        "--out",
        str(csv_out),
        passphrase=DEMO_PASSPHRASE,
    )
    assert res.returncode == 0, res.stderr
    assert csv_out.read_text("utf-8").splitlines()[0].startswith("DEMO: not real signatures")


def test_missing_personal_data_is_told_apart_from_purged_after_sync(filled: Path) -> None:
    """Issue #11 item 8: an empty or NULL ``sealed`` on a never-synced signature is reported
    as missing (damaged store), not as "deleted after sync"; a purged synced one still is."""
    import sqlite3

    db = sqlite3.connect(filled / "kiosk.db")
    with db:
        seqs = [
            r[0] for r in db.execute("SELECT seq FROM signatures WHERE voided = 0 ORDER BY seq")
        ]
        db.execute("DELETE FROM signature_sealed WHERE seq = ?", (seqs[0],))
        db.execute("UPDATE signature_sealed SET sealed = x'' WHERE seq = ?", (seqs[1],))
        db.execute("DELETE FROM signature_sealed WHERE seq = ?", (seqs[2],))
        db.execute("UPDATE signatures SET sync_state = 'synced' WHERE seq = ?", (seqs[2],))
    db.close()
    res = run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(filled / "c.csv"))
    assert "nothing exported" in res.stderr, res.stderr
    assert "1 had their personal data deleted after sync" in res.stderr
    assert (
        "2 were never synced, yet their personal data is missing (the store was damaged or altered)"
    ) in res.stderr
    assert "Traceback" not in res.stderr
    db = sqlite3.connect(filled / "kiosk.db")
    with db:  # one good signature again: it is exported, the others are reported
        db.execute(
            "INSERT INTO signature_sealed (seq, sealed) SELECT ?, b.sealed FROM signature_sealed b"
            " JOIN signatures s ON s.seq = b.seq WHERE s.voided = 1",
            (seqs[0],),
        )
    db.close()
    res = run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(filled / "c.csv"))
    assert res.returncode == 0, res.stderr
    assert "wrote 1 signature" in res.stdout
    assert "1 signature left out: the personal data was deleted after sync" in res.stderr
    assert ("1 signature left out: never synced, yet the personal data is missing") in res.stderr


def test_until_a_day_includes_that_day_as_on_the_server(filled: Path, tmp_path: Path) -> None:
    """``--until 2026-12-05`` left out everything signed on the 5th on the kiosk ("before"),
    while ``kiosk-server export --until`` includes the day: one flag, one meaning."""
    from datetime import date, timedelta

    today = date.today()
    out = tmp_path / "out.csv"

    def export(*extra: str) -> subprocess.CompletedProcess[str]:
        return run(filled, "export", "csv", "--campaign", CAMPAIGN, "--out", str(out), *extra)

    res = export("--until", today.isoformat())
    assert res.returncode == 0, res.stderr
    assert "3 signatures" in res.stdout
    none = export("--until", (today - timedelta(days=1)).isoformat())
    assert none.returncode != 0 and "no signatures match" in none.stderr
    both = export("--since", today.isoformat(), "--until", today.isoformat())
    assert both.returncode == 0 and "3 signatures" in both.stdout
    backwards = export(
        "--since", today.isoformat(), "--until", (today - timedelta(days=1)).isoformat()
    )
    assert backwards.returncode == 2 and "--until must be after --since" in backwards.stderr


def test_an_export_is_audited_before_its_signatures_are_marked(filled: Path) -> None:
    """Audit entry and "exported" marks are two commits: a crash between them must leave the
    export audited and the signatures unmarked (retention keeps them longer), never the
    reverse (personal data out of the kiosk with no trace, then purged as if delivered)."""
    from datetime import UTC, datetime

    from kiosk.domain.ports import SignatureFilter
    from kiosk.domain.signature import SyncState
    from kiosk.exports import make_csv_export, record_export

    kiosk = open_kiosk(filled)
    try:
        made = make_csv_export(
            kiosk.store, kiosk.keys.unlock(PASS), SignatureFilter(campaign=CAMPAIGN)
        )
        kiosk.store.mark_signatures(made.ids, SyncState.SYNCED)  # so retention could purge
        before = len(kiosk.store.audit_entries())

        class CrashOnMark:
            def mark_exported(self, ids: list[object], at: datetime) -> None:
                raise OSError("the power went out here")

        with pytest.raises(OSError):
            record_export(CrashOnMark(), kiosk.auditor, made, datetime.now(UTC), via="test")
        entries = kiosk.store.audit_entries()
        assert len(entries) == before + 1 and entries[-1].action == "export"
        assert entries[-1].detail["rows"] == made.rows == 3
        assert kiosk.store.purgeable(None, require_exported=True) == []  # nothing marked
        record_export(kiosk.store, kiosk.auditor, made, datetime.now(UTC), via="test")
        assert sorted(kiosk.store.purgeable(None, require_exported=True)) == sorted(made.ids)
    finally:
        kiosk.close()

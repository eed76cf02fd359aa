"""Render sample signature packets and picture their pages for docs/screenshots/.

Writes the packets (PDF) to a folder (a temporary one by default) and, with pdftoppm
(poppler-utils), these PNGs:

- ``pdf-cover.png``: the cover of a Letter packet whose first rows carry the hard names
  (accents, Vietnamese, Arabic, Hebrew, Chinese, Korean, Ge'ez, Devanagari);
- ``pdf-sheet.png``: its first signature sheet;
- ``pdf-sheet-20-comments.png``: a sheet of 20 rows with comments;
- ``pdf-sheet-a4-es.png``: a Spanish A4 sheet.

Run: ``.venv/bin/python scripts/render_pdf_samples.py [--out DIR] [--dpi 110]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.pdf.model import PacketOptions
from kiosk.pdf.render import render_packet
from kiosk.pdf.samples import sample_packet

SHOTS = ROOT / "docs" / "screenshots"


def _png(pdf: Path, page: int, target: Path, dpi: int) -> None:
    """Render one page of ``pdf`` to ``target`` with pdftoppm."""
    stem = target.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-png",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    print(f"wrote {target.relative_to(ROOT)}")


def main() -> int:
    """Write the sample packets and their pictures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the PDFs (default: temporary)")
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: apt-get install poppler-utils", file=sys.stderr)
        return 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        samples = {
            "sample-letter-en.pdf": sample_packet(25),
            "sample-20-comments.pdf": sample_packet(
                40, seed=3, options=PacketOptions(rows_per_sheet=20, include_comments=True)
            ),
            "sample-a4-es.pdf": sample_packet(
                12, seed=5, language="es", options=PacketOptions(page_size="a4")
            ),
        }
        for name, packet in samples.items():
            (out / name).write_bytes(render_packet(packet))
            print(f"wrote {out / name}")
        _png(out / "sample-letter-en.pdf", 1, SHOTS / "pdf-cover.png", args.dpi)
        _png(out / "sample-letter-en.pdf", 2, SHOTS / "pdf-sheet.png", args.dpi)
        _png(out / "sample-20-comments.pdf", 2, SHOTS / "pdf-sheet-20-comments.png", args.dpi)
        _png(out / "sample-a4-es.pdf", 2, SHOTS / "pdf-sheet-a4-es.png", args.dpi)
    return 0


if __name__ == "__main__":
    sys.exit(main())

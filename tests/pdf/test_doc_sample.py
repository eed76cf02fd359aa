"""docs/pdf.md's example runs as written (from the repository's root) and makes a PDF."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT


def test_the_pdf_docs_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "docs" / "pdf.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "docs/pdf.md has no python example"
    monkeypatch.chdir(ROOT)
    scope: dict[str, object] = {}
    exec(compile(blocks[0], "docs/pdf.md", "exec"), scope)
    pdf = scope["pdf_bytes"]
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert scope["parts"]

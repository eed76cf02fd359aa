"""English wording of the command lines' counts: "1 signature", "2 signatures"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one (``plural`` defaults to noun + "s")."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"

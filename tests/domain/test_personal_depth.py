"""The nesting check of sealed personal data (``kiosk.domain.personal._check_depth``).

Anyone who holds the organization's public key (every enrolled kiosk gets it) can seal any
bytes, and the server opens every pushed signature: the check runs on hostile text, before
``json.loads``, while the server's other requests wait for it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.personal import MAX_DEPTH, PersonalDataError, _check_depth, parse_personal

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('ab"\\[]{}é\n')),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=12,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(_JSON, st.booleans())
def test_the_check_refuses_exactly_the_values_nested_too_deep(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    if _depth(value) > MAX_DEPTH:
        with pytest.raises(PersonalDataError, match="nested deeper"):
            _check_depth(text)
    else:
        _check_depth(text)  # brackets, quotes and backslashes inside strings do not count


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (r'{"a": "[[{{\"]]"}', None),  # an escaped quote does not end the string
        (r'{"a": "\\", "b": [1]}', "nested deeper"),  # an escaped backslash does
        (r'{"a": "\\\"[", "b": 1}', None),
        # closing what was never opened cannot hide what opens after it
        ('{"a": "x"}' + "]" * 5 + "[[" * 5, "not JSON"),
    ],
)
def test_escapes_and_strings_are_read_as_json_reads_them(text: str, refused: str | None) -> None:
    if refused:
        with pytest.raises(PersonalDataError, match=refused):
            _check_depth(text)
    else:
        _check_depth(text)


def test_a_record_of_escaped_quotes_is_refused_in_one_pass() -> None:
    """A quote followed by 32,000 escaped quotes (64 KB, what a push carries) made the regular
    expression used before backtrack from every quote: 17 s of a server's CPU per signature,
    every request waiting. The hostile records (1 MB each, ~70 minutes each with the old
    expression) run in a child process, so a return of the quadratic check fails this test
    (the child is stopped) instead of hanging the suite; no speed is asserted."""
    code = (
        "from kiosk.domain.personal import PersonalDataError, _check_depth\n"
        "n = 500_000\n"
        "for text in ('[[' + '\\\\\"' * n, '{\"a\": \"' + '\\\\\"' * n + '\"}',\n"
        "             '{\"a\": \"' + '[' * 10 + '\\\\\"' * n):\n"
        "    try:\n"
        "        _check_depth(text)\n"
        "        print('passed')\n"
        "    except PersonalDataError as exc:\n"
        "        print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split("\n")[:3] == ["nested deeper than 1 level", "passed", "passed"]


def test_parse_personal_refuses_the_hostile_record_as_not_a_record() -> None:
    hostile = ("[[" + '\\"' * 32_000).encode()
    with pytest.raises(PersonalDataError, match="nested deeper"):
        parse_personal(hostile)

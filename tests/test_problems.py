"""Errors reach the page as problems (code, params, English text), and the page words each code in
Swedish and English from generator/core/errors.py's one list (docs/public-format.md, "Problems")."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from generator.core.errors import PROBLEM_PARAMS, Problem, PublishError, SourceError

ROOT = Path(__file__).resolve().parent.parent
FALLBACK = "source_failed"  # the page shows the English text for it


def page_words() -> dict[str, dict[str, str]]:
    script = ("import('./site_templates/src/i18n.js').then((m) => console.log(JSON.stringify("
              "Object.fromEntries(m.LANGUAGES.map((l) => [l, m.dictionary(l).problems])))))")
    done = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_page_words_every_problem_code_with_its_own_params_only(language):
    words = page_words()[language]
    assert set(words) == set(PROBLEM_PARAMS) - {FALLBACK}
    for code, template in words.items():
        used = set(re.findall(r"\{(\w+)\}", template))
        assert used <= set(PROBLEM_PARAMS[code]), f"{language} {code} uses {used - set(PROBLEM_PARAMS[code])}"


def test_the_public_format_doc_lists_every_code_with_its_params():
    doc = (ROOT / "docs" / "public-format.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", doc, re.M))
    for code, params in PROBLEM_PARAMS.items():
        listed = set(re.findall(r"`(\w+)`", rows.get(code, "")))
        assert code in rows and listed == set(params), f"docs/public-format.md: {code} {sorted(params)}"


def test_a_problem_with_params_its_code_does_not_take_is_a_bug_caught_at_once():
    with pytest.raises(ValueError, match="no_data"):
        Problem("no_data", "no data", {"bucket": "x"})
    with pytest.raises(ValueError, match="expected one of"):
        Problem("made_up", "?", {})


def test_source_and_publish_errors_carry_their_problem():
    assert SourceError("down", "unreachable", url="http://db:8086").problem.to_json() == {
        "code": "unreachable", "params": {"url": "http://db:8086"}, "text": "down"}
    assert SourceError("odd").problem.code == FALLBACK
    assert PublishError("cannot write /x", "/x").problem.params == {"path": "/x"}


def test_a_format_1_plain_text_error_is_read_as_the_fallback_problem():
    assert Problem.from_json("connection refused") == Problem(FALLBACK, "connection refused")
    assert Problem.from_json(None) is None
    unknown = {"code": "from_the_future", "params": {"x": 1}, "text": "new"}
    assert Problem.from_json(unknown) == Problem(FALLBACK, "new")

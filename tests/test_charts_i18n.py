"""Chart labels: both languages know every label, and numbers are written the way each reads them."""
from __future__ import annotations

import pytest

from generator import i18n


def test_every_language_has_the_same_labels():
    keys = {language: set(table) for language, table in i18n.LABELS.items()}
    assert set(keys) == set(i18n.LANGUAGES)
    assert keys["sv"] == keys["en"]


def test_placeholders_agree_across_languages():
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, text in i18n.LABELS["sv"].items():
        assert fields(text) == fields(i18n.LABELS["en"][key]), key


def test_swedish_writes_a_decimal_comma_and_english_a_point():
    assert i18n.number(3.456, 2, "sv") == "3,46"
    assert i18n.number(3.456, 2, "en") == "3.46"


def test_labels_fill_their_placeholders():
    assert i18n.label("en", "cop.average", spf="3.10") == "SPF 3.10"


def test_an_unknown_language_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="use one of: sv, en"):
        i18n.label("de", "cop.title")

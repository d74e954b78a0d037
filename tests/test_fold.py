"""Folding: the one form that stored profiles and typed searches are compared in."""

from __future__ import annotations

import pytest

from bot.text import fold


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Île-de-France", "ile-de-france"),
        ("ÉVALUATION", "evaluation"),
        ("Nguyễn", "nguyen"),
        ("Straße", "strasse"),
        ("İstanbul", "istanbul"),
        ("ＡＢＣ１２", "abc12"),  # full-width
        ("ﬁeld", "field"),  # ligature
        ("李明", "李明"),
        ("서울", "서울"),  # Hangul syllables come back composed
        ("がっこう", "がっこう"),  # kana voicing marks are part of the letter: kept
        ("हिन्दी", "हिन्दी"),  # virama and vowel signs: kept
        ("🩺 Care", "🩺 care"),
        ("❤️", "❤"),  # the emoji presentation selector is invisible
        ("👩‍⚕️", "👩⚕"),  # joiners too
        ("  a\tb\n\x00c  ", "a b c"),
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_folding_twice_changes_nothing() -> None:
    for text in ("Île-de-France", "Ǆungla ﬃ", "한국어 🩺", "Ω ὈΔΥΣΣΕΎΣ"):
        assert fold(fold(text)) == fold(text)

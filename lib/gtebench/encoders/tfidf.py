"""TF-IDF + truncated SVD: the non-neural item representation that stands in for the paper's classic encoders."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .spec import EncoderSpec

SEED = 2020


def encode_tfidf_svd(spec: EncoderSpec, texts: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
    """Fit TF-IDF (unigrams and bigrams, sublinear tf) and SVD on `corpus`, then project `texts`."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")
    fitted = vectorizer.fit_transform(list(corpus))
    n_components = min(spec.dim, fitted.shape[0] - 1, fitted.shape[1] - 1)
    svd = TruncatedSVD(n_components=n_components, algorithm="randomized", n_iter=7, random_state=SEED)
    svd.fit(fitted)
    vectors = svd.transform(vectorizer.transform(list(texts)))
    if n_components < spec.dim:  # a tiny corpus: pad so the dimension stays what the registry says
        vectors = np.pad(vectors, ((0, 0), (0, spec.dim - n_components)))
    if spec.normalize:
        vectors = normalize(vectors)
    return vectors.astype(np.float32)

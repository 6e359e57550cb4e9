"""PCA of an embedding space and the alpha-effective dimension (paper section 3.2; authors' apply_pca.py).

The code-level definition, followed exactly except for the seed (the authors draw their sample unseeded):
- fit on a random sample of 100,000 item vectors (all of them if fewer), centred by the sample's own mean;
- eigenvalues = squared singular values / (n - 1), i.e. the covariance eigenvalues; ratio = eigenvalue / sum;
- d(alpha) = 1 + the first index whose cumulative ratio reaches alpha (alpha 0.80 and 0.95 in the paper);
- projection onto the top-d directions: items centred by the *full catalogue* mean, queries by the *query* mean,
  no whitening or rescaling.

The eigen-decomposition is of the D x D covariance accumulated in float64 blocks: for 100k x 4096 vectors that is
a 134 MB matrix instead of a 3 GB SVD input, with the same eigenvalues and directions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .spec import EncoderError

SAMPLE_SIZE = 100_000
ALPHAS = (0.80, 0.95)
SEED = 2020
BLOCK = 8192  # rows per float64 block when accumulating the covariance


@dataclass(frozen=True)
class PCA:
    components: np.ndarray  # (D, D): row k is the k-th principal direction, by decreasing eigenvalue
    eigenvalues: np.ndarray  # (D,): covariance eigenvalues of the sample, decreasing
    sample_size: int
    seed: int

    @property
    def ratio(self) -> np.ndarray:
        return self.eigenvalues / self.eigenvalues.sum()

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.ratio)

    def effective_dim(self, alpha: float) -> int:
        """d(alpha): the fewest components whose explained-variance ratio reaches alpha."""
        if not 0 < alpha <= 1:
            raise EncoderError(f"alpha must be in (0, 1], got {alpha}")
        reached = np.flatnonzero(self.cumulative >= alpha)
        # Rounding can leave the last cumulative value a hair under 1.0: then every component is needed.
        return int(reached[0]) + 1 if reached.size else len(self.eigenvalues)

    def project(self, vectors: np.ndarray, n_components: int) -> np.ndarray:
        """`vectors` centred by their own mean, on the top `n_components` directions (float32).

        Pass the whole item catalogue (its mean is the catalogue mean) or the whole query set (the query mean).
        """
        if not 1 <= n_components <= len(self.eigenvalues):
            raise EncoderError(f"n_components must be in 1..{len(self.eigenvalues)}, got {n_components}")
        # in float64 blocks: a 1M x 4096 pool is never converted to float64 whole
        blocks = [slice(start, start + BLOCK) for start in range(0, len(vectors), BLOCK)]
        mean = sum(np.asarray(vectors[b], dtype=np.float64).sum(axis=0) for b in blocks) / len(vectors)
        basis = self.components[:n_components].T
        out = np.empty((len(vectors), n_components), dtype=np.float32)
        for b in blocks:
            out[b] = (np.asarray(vectors[b], dtype=np.float64) - mean) @ basis
        return out

    def spectrum(self) -> pd.DataFrame:
        """The explained-variance spectrum, one row per component, for the analysis notebook."""
        return pd.DataFrame({
            "component": np.arange(1, len(self.eigenvalues) + 1),
            "eigenvalue": self.eigenvalues,
            "ratio": self.ratio,
            "cumulative": self.cumulative,
        })

    def summary(self, alphas=ALPHAS) -> dict:
        return {"dim": len(self.eigenvalues), "sample_size": self.sample_size, "seed": self.seed,
                **{f"d{round(a * 100)}": self.effective_dim(a) for a in alphas}}


def sample_rows(n: int, size: int = SAMPLE_SIZE, seed: int = SEED) -> np.ndarray:
    """Sorted positions of a seeded sample of `size` rows (all rows if there are fewer)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def fit(items: np.ndarray, *, sample_size: int = SAMPLE_SIZE, seed: int = SEED) -> PCA:
    """PCA of the item vectors (rows), on a seeded sample; works on a memory-mapped array."""
    if items.ndim != 2 or items.shape[0] < 2:
        raise EncoderError(f"PCA needs a 2-d array with at least 2 rows, got shape {items.shape}")
    rows = sample_rows(items.shape[0], sample_size, seed)
    dim, n = items.shape[1], len(rows)
    blocks = [rows[start : start + BLOCK] for start in range(0, n, BLOCK)]
    # Two passes (mean, then centred scatter) rather than E[xx'] - mm': anisotropic spaces such as BLaIR's have
    # a mean far larger than their spread, and the one-pass formula would cancel away the small eigenvalues.
    mean = sum(np.asarray(items[b], dtype=np.float64).sum(axis=0) for b in blocks) / n
    scatter = np.zeros((dim, dim))
    for b in blocks:
        block = np.asarray(items[b], dtype=np.float64) - mean
        scatter += block.T @ block
    covariance = scatter / (n - 1)
    eigenvalues, vectors = np.linalg.eigh(covariance)  # ascending
    eigenvalues = np.clip(eigenvalues[::-1], 0.0, None)  # tiny negatives are rounding of zero variance
    return PCA(components=vectors[:, ::-1].T.copy(), eigenvalues=eigenvalues, sample_size=n, seed=seed)

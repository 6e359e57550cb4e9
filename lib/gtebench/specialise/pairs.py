"""Training pairs for specialisation: (anchor, positive[, negative]) texts, built from training data only.

Every builder returns a Pairs: a frame with `anchor`, `positive` and optionally `negative`, and a report of what
was read, filtered and why (counts, never silent drops). Builders:

- review_item_pairs: BLaIR's pretraining signal, (review text, reviewed item's metadata text), from the small real
  Amazon review sets in `<shared data>/amazon_reviews_small/` (its SOURCE.md), with BLaIR's cleaning and filters
  (hyp1231/AmazonReviews2023, blair/sample_pretraining_data.py: review = title + text, item = title + features +
  description, tabs and newlines to spaces, both longer than 30 characters);
- next_item_pairs: (item text, next item's text) from the training part of a recommendation dataset's sequences,
  the rows its split marks "train" (never a validation or test target);
- pairs_file: a documented file of any pairs (JSON lines or CSV with `anchor`, `positive`, optional `negative`).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data.errors import DataError
from ..data.files import local_dir
from ..io import sha256_bytes

REVIEWS_ENV, REVIEWS_NAME = "GTEBENCH_AMAZON_REVIEWS_SMALL_DIR", "amazon_reviews_small"
MIN_CHARS = 30  # BLaIR keeps a review and an item text only when each is longer than 30 characters
PAIRS_FORMAT = ("a JSON-lines or CSV file with one pair per row: `anchor` and `positive` texts, optionally a "
                "`negative` (a hard negative for the anchor)")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_MDSD_LABEL = re.compile(r":\s*(?:Books|DVD|Electronics|Kitchen &(?:amp;)? Housewares)(?=\s*:|\s*$)")


@dataclass
class Pairs:
    frame: pd.DataFrame  # anchor, positive[, negative]
    report: dict = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        """SHA-256 of the pairs themselves (order included): what the specialised model's manifest records."""
        columns = [c for c in ("anchor", "positive", "negative") if c in self.frame.columns]
        payload = self.frame[columns].to_csv(index=False).encode("utf-8")
        return sha256_bytes(payload)


def clean(text) -> str:
    """BLaIR's cleaning (tabs, newlines to spaces; stripped), plus HTML tags and entities undone, spaces joined."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    if isinstance(text, (list, tuple)):
        text = " ".join(str(t) for t in text if t)
    return _SPACE.sub(" ", _TAG.sub(" ", html.unescape(html.unescape(str(text))))).strip()  # "&amp;#65279;" twice


def _join(*parts) -> str:
    return " ".join(p for p in (clean(part) for part in parts) if p)


def _read_jsonl_gz(path: Path) -> list[dict]:
    if not path.is_file():
        raise DataError(f"{path} is missing: the review pairs read {REVIEWS_NAME}/ from the shared data "
                        f"(set {REVIEWS_ENV} to its folder; its SOURCE.md says where each file comes from)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _amazon2018_pairs(folder: Path, reviews: str, meta: str, item_text) -> tuple[list[tuple], dict]:
    items = {m["asin"]: item_text(m) for m in _read_jsonl_gz(folder / meta)}
    rows, missing = [], 0
    for review in _read_jsonl_gz(folder / reviews):
        if review.get("asin") not in items:
            missing += 1
            continue
        rows.append((_join(review.get("summary"), review.get("reviewText")), items[review["asin"]]))
    return rows, {"reviews": len(rows) + missing, "reviews_without_item": missing}


def _mdsd_pairs(folder: Path) -> tuple[list[tuple], dict]:
    files = sorted(folder.glob("*.review.gz"))
    if not files:
        raise DataError(f"no *.review.gz under {folder}: see {REVIEWS_NAME}/SOURCE.md (mdsd2007/)")

    def tag(name: str, block: str) -> str:
        found = re.search(rf"<{name}>\s*(.*?)\s*</{name}>", block, re.S)
        return found.group(1) if found else ""

    rows = []
    for path in files:
        text = gzip.open(path, "rt", encoding="utf-8", errors="replace").read()
        for block in re.findall(r"<review>(.*?)</review>", text, re.S):
            # product_name carries ": <Domain>" (a label of the crawl, not of the product), at the end or before
            # the authors or cast ("Title: Books: Author"): the label is dropped, the rest kept
            name = _MDSD_LABEL.sub("", tag("product_name", block))
            rows.append((_join(tag("title", block), tag("review_text", block)), clean(name)))
    return rows, {"reviews": len(rows), "reviews_without_item": 0}


REVIEW_SOURCES = {  # sub-folder -> how its pairs are read
    "amazon2018_gift_cards": lambda f: _amazon2018_pairs(
        f, "Gift_Cards_5.json.gz", "meta_Gift_Cards.json.gz",
        lambda m: _join(m.get("title"), m.get("feature"), m.get("description"))),
    # titles are broken upstream (HTML fragments, SOURCE.md): brand, categories and description instead
    "amazon2018_magazine_subscriptions": lambda f: _amazon2018_pairs(
        f, "Magazine_Subscriptions_5.json.gz", "meta_Magazine_Subscriptions.json.gz",
        lambda m: _join(m.get("brand"), m.get("category"), m.get("description"))),
    "mdsd2007": _mdsd_pairs,
}


def review_item_pairs(sources: tuple[str, ...] = tuple(REVIEW_SOURCES), folder: Path | None = None) -> Pairs:
    """(review, item text) pairs of the review sources, with BLaIR's filters; the report counts each drop."""
    folder = Path(folder) if folder is not None else local_dir(REVIEWS_ENV, REVIEWS_NAME)
    unknown = set(sources) - set(REVIEW_SOURCES)
    if unknown:
        raise DataError(f"unknown review source(s) {sorted(unknown)}; known: {sorted(REVIEW_SOURCES)}")
    frames, report = [], {}
    for source in sources:
        rows, counts = REVIEW_SOURCES[source](folder / source)
        frame = pd.DataFrame(rows, columns=["anchor", "positive"])
        short_review = frame["anchor"].str.len() <= MIN_CHARS
        short_item = ~short_review & (frame["positive"].str.len() <= MIN_CHARS)
        kept = frame[~short_review & ~short_item]
        report[source] = {**counts, "review_30_chars_or_less": int(short_review.sum()),
                          "item_text_30_chars_or_less": int(short_item.sum()), "pairs": len(kept)}
        frames.append(kept)
    pairs = pd.concat(frames, ignore_index=True)
    return Pairs(pairs, {"sources": report, "pairs": len(pairs), "folder": str(folder)})


def next_item_pairs(dataset: str) -> Pairs:
    """(item text, next item's text) for every consecutive pair of a user's training sequence: the rows the
    dataset's split marks "train" (history ends before the target), so no validation or test target is a
    positive, and neither item of a pair is a held-out event of that user."""
    from ..data.registry import prepare

    prepared = prepare(dataset)
    rows = prepared.split_rows(max_history=1)
    train = rows[rows["split"] == "train"]
    texts = prepared.item_texts()
    previous = train["history"].str[-1]
    frame = pd.DataFrame({"anchor": texts.reindex(previous).to_numpy(),
                          "positive": texts.reindex(train["item_id"]).to_numpy()})
    same = frame["anchor"] == frame["positive"]  # a repeated item: nothing to contrast
    empty = (frame["anchor"].fillna("").str.strip() == "") | (frame["positive"].fillna("").str.strip() == "")
    kept = frame[~same & ~empty].reset_index(drop=True)
    return Pairs(kept, {"dataset": dataset, "train_rows": len(train), "held_out_rows": int(len(rows) - len(train)),
                        "same_item_pairs": int(same.sum()), "pairs_with_empty_text": int((empty & ~same).sum()),
                        "pairs": len(kept)})


def pairs_file(path: str | Path) -> Pairs:
    """Pairs from a file (PAIRS_FORMAT); rows with an empty anchor or positive are refused with their line."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"pairs file {path} does not exist: give {PAIRS_FORMAT}")
    frame = pd.read_json(path, lines=True) if path.suffix in (".jsonl", ".json") else pd.read_csv(path)
    missing = {"anchor", "positive"} - set(frame.columns)
    if missing:
        raise DataError(f"{path} lacks the column(s) {sorted(missing)}: give {PAIRS_FORMAT}")
    columns = [c for c in ("anchor", "positive", "negative") if c in frame.columns]
    frame = frame[columns].fillna("").astype(str)
    bad = frame.index[(frame["anchor"].str.strip() == "") | (frame["positive"].str.strip() == "")]
    if len(bad):
        raise DataError(f"{path}: {len(bad)} row(s) with an empty anchor or positive, first at data row "
                        f"{int(bad[0]) + 1}: fill or remove them")
    return Pairs(frame.reset_index(drop=True), {"file": str(path), "pairs": len(frame)})


def query_product_pairs(dataset: str = "homedepot-train", high: float = 2.67, low: float = 2.0) -> Pairs:
    """(query, product judged relevant, hard negative) triplets from a search dataset's training queries.

    For each query of `dataset` (a training split: its queries are never evaluated), every product whose mean
    rating reaches `high` is a positive, and the query's lowest-rated judged product, when its rating is at most
    `low`, is the hard negative of each of its positives (shown by the shop for that query and judged poor).
    Positives of queries without such a product are counted and left out: sentence-transformers' loss takes one
    column layout for the whole set, and a random negative would only repeat the in-batch ones.
    """
    from ..data.search import prepare_search

    ds = prepare_search(dataset)
    if ds.spec.options.get("split", "test") != "train":
        raise DataError(f"{dataset!r} is the {ds.spec.options.get('split', 'test')!r} split: query pairs come "
                        f"from a training split only (e.g. 'homedepot-train'), never from evaluated queries")
    qrels = ds.qrels.assign(qid=ds.qrels["qid"].astype(str), item_id=ds.qrels["item_id"].astype(str))
    titles = ds.items.assign(item_id=ds.items["item_id"].astype(str)).set_index("item_id")["title"]
    rating = qrels["judged_relevance"]
    lowest = qrels.loc[qrels.groupby("qid")["judged_relevance"].idxmin()].set_index("qid")
    lowest = lowest[lowest["judged_relevance"] <= low]["item_id"]
    positives = qrels[rating >= high]
    has_negative = positives["qid"].isin(lowest.index)
    kept = positives[has_negative]
    queries = ds.queries.copy()
    queries.index = queries.index.astype(str)
    frame = pd.DataFrame({"anchor": queries.reindex(kept["qid"]).to_numpy(),
                          "positive": titles.reindex(kept["item_id"]).to_numpy(),
                          "negative": titles.reindex(lowest.reindex(kept["qid"])).to_numpy()})
    return Pairs(frame.reset_index(drop=True), {
        "dataset": dataset, "split": "train", "queries": len(ds.queries), "judgments": len(qrels),
        "positives": len(positives), "high": high, "low": low,
        "queries_with_hard_negative": int(len(lowest)),
        "positives_without_hard_negative": int((~has_negative).sum()), "pairs": len(frame)})

"""MovieLens ml-latest-small (real files in ../shared/data)."""

from gtebench.data import prepare


def test_latest_small_counts_titles_and_years(shared_data):
    prepared = prepare("ml-latest-small")
    assert len(prepared.interactions) == 100_004 and prepared.interactions.user_id.nunique() == 671
    toy = prepared.items.set_index("item_id").loc["1"]
    assert (toy.title, toy.year) == ("Toy Story", "1995")
    assert prepared.item_texts()["1"] == "Toy Story (1995). Genres: Adventure, Animation, Children, Comedy, Fantasy."
    assert (prepared.split_rows(50).split == "test").sum() == 671

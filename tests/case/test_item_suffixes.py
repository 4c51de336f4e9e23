"""How a message names an item of a ``[[...]]`` list: ``.opstart`` where its name is a usable slug
that no other item has, else ``[3]`` counted from 1 (the workbook import finds its cell by it)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from somrisk.case.checks import item_suffix, item_suffixes

NAMES = st.sampled_from(["opstart", "forloeb", "Not a slug", "", "a.b", "x1"])
ITEMS = st.lists(
    st.one_of(
        st.fixed_dictionaries({"name": NAMES}),
        st.fixed_dictionaries({"name": st.integers(0, 3)}),
        st.fixed_dictionaries({"name": st.just({"a": 1})}),  # a table where a name belongs
        st.fixed_dictionaries({"name": st.just([1])}),
        st.just({}),
        st.integers(),
    ),
    max_size=12,
)


def test_names_and_positions():
    items = [{"name": "opstart"}, {"name": "forloeb"}, {"name": "forloeb"}, {"name": "Not a slug"}, {}, 7]
    assert item_suffixes(items) == [".opstart", "[2]", "[3]", "[4]", "[5]", "[6]"]
    assert item_suffixes([{"name": {"x": 1}}, {"name": "ok"}]) == ["[1]", ".ok"]


@given(ITEMS)
def test_all_at_once_equals_one_by_one(items):
    assert item_suffixes(items) == [item_suffix(items, i) for i in range(len(items))]

"""Listings in pages: every page fits one Telegram message, whatever the listing holds."""

from __future__ import annotations

import html
import itertools

from hypothesis import given
from hypothesis import strategies as st

from scoring.paging import MESSAGE_LIMIT, clamp, cut, paginate, size


def _marker(number: int, pages: int) -> str:
    return f"<i>Page {number} of {pages}</i>"


# Lines as the handlers make them: escaped user text (any characters, emoji and entities
# included) inside a little HTML, from empty to far over a message.
line = st.builds(
    lambda text, bold: f"<b>{html.escape(text)}</b>" if bold else html.escape(text),
    st.text(max_size=6000),
    st.booleans(),
)


@given(
    st.lists(line, max_size=60),
    st.text(max_size=300).map(html.escape),
    st.text(max_size=300).map(html.escape),
)
def test_every_page_fits_a_message(items: list[str], header: str, footer: str) -> None:
    pages = paginate(items, header=header, footer=footer, marker=_marker)
    assert pages
    assert all(size(page.text) <= MESSAGE_LIMIT for page in pages)
    # Every item is on exactly one page, in order, and the pages know their count.
    assert pages[0].start == 0
    assert pages[-1].stop == len(items)
    assert all(a.stop == b.start for a, b in itertools.pairwise(pages))
    assert all(page.pages == len(pages) and page.number == n + 1 for n, page in enumerate(pages))


@given(st.lists(st.text(max_size=200).map(html.escape), max_size=80))
def test_items_that_fit_are_kept_whole(items: list[str]) -> None:
    pages = paginate(items, header="Title", marker=_marker)
    for page in pages:
        for item in items[page.start : page.stop]:
            assert item in page.text


def test_one_page_has_no_marker() -> None:
    [page] = paginate(["a", "b"], header="H", footer="F", marker=_marker)
    assert page.text == "H\na\nb\nF"


def test_a_long_listing_splits_with_markers() -> None:
    items = [f"{n}. " + "x" * 290 for n in range(30)]
    pages = paginate(items, header="H", marker=_marker)
    assert len(pages) == 3
    assert pages[1].text.endswith("<i>Page 2 of 3</i>")


def test_cut_never_splits_an_entity_or_leaves_a_tag_open() -> None:
    cut_line = cut("<b>" + "&amp;" * 10 + "</b>", 8)
    assert size(cut_line) <= 8
    assert "<" not in cut_line
    assert cut_line.endswith("…")
    assert cut_line.count("&") == cut_line.count(";")


def test_clamp_keeps_a_pressed_page_in_range() -> None:
    assert (clamp(0, 3), clamp(2, 3), clamp(99, 3), clamp(5, 0)) == (1, 2, 3, 1)

"""The board pack is drawn in a worker process that is replaced after a few packs, and
WeasyPrint may fetch nothing but data: URLs."""

from __future__ import annotations

import logging
import os

import pytest

from bot.pack import PackText, Section, _data_only
from bot.packer import PackBuilder
from content import Content

TEXT = PackText(
    title="Board pack", subtitle="Test", headline="Cultivator", sections=(Section("One"),)
)


async def test_packs_are_drawn_in_a_worker_that_is_replaced(content: Content) -> None:
    """Two packs per worker: the third pack comes from a new process, the old one has gone,
    and none of it runs in the bot's own process."""
    builder = PackBuilder(packs_per_worker=2)
    try:
        first = await builder.build(TEXT)
        [worker] = builder.pids()
        assert worker != os.getpid()
        await builder.build(TEXT)
        await builder.ready()
        third = await builder.build(TEXT)
        assert first.startswith(b"%PDF")
        assert third.startswith(b"%PDF")
        assert worker not in builder.pids()
        assert len(builder.pids()) >= 1
    finally:
        builder.shutdown()
    assert builder.pids() == []


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://127.0.0.1:9/x.png"])
def test_the_pack_fetches_no_file_or_web_address(url: str) -> None:
    """WeasyPrint's default fetcher reads file: and http: URLs; the pack's refuses them."""
    with pytest.raises(ValueError, match="disallowed protocol"):
        _data_only()(url)


def test_the_pack_still_reads_data_urls() -> None:
    response = _data_only()("data:text/plain;base64,aGk=")
    assert response is not None


def test_weasyprint_info_lines_are_quietened() -> None:
    """Seven WeasyPrint INFO lines per /report once reached the log."""
    from bot import logs

    logs.quiet_libraries()
    assert not logging.getLogger("weasyprint").isEnabledFor(logging.INFO)

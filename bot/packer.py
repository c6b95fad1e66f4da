"""Board packs built in a worker process that is recycled, so the memory a pack takes is given
back.

Drawing a pack (WeasyPrint with pango and fontconfig; its charts come as SVG in the text) grows
a process by several megabytes each time, and that memory is not returned: twenty /report
took the bot from 56 MB to about 200 MB for good. Here each pack is drawn in a worker process
(a fresh interpreter, the spawn start method, so it inherits nothing of the bot's threads or
sockets) that is replaced after PACKS_PER_WORKER packs; the replacement warms up (fonts,
libraries) in the background and takes over once ready. The bot's own process never imports
WeasyPrint.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.pack import PackText, board_pack, warm_up

log = logging.getLogger(__name__)

# Packs one worker draws before it is replaced (and its memory returned).
PACKS_PER_WORKER = 10
# Workers drawing packs at once (the bot runs on small machines: two cores).
WORKERS = 1


def draw(text: PackText) -> bytes:
    """In the worker: the PDF (its charts are SVG, already in `text`)."""
    return board_pack(text, None)


def _start_worker() -> None:
    """Load and exercise everything a pack uses (WeasyPrint, fonts) before the first pack
    arrives: a first PDF costs a second or more."""
    from bot import logs

    logs.quiet_libraries()
    warm_up()
    board_pack(PackText(title="-", subtitle="-", headline="-", sections=()), None)


def _ready() -> None:
    """A task that only makes a new pool start its worker (which warms up as it starts)."""


class PackBuilder:
    """The worker pool, made on first use, replaced after `packs_per_worker` packs, shut down
    with the bot.

    Once a worker has drawn its share, a replacement is started; it warms up in the background
    while the old worker goes on drawing, and takes over only once it is ready, so a pack never
    waits for a cold worker. The old worker then exits, and its memory goes with it.
    """

    def __init__(self, workers: int = WORKERS, packs_per_worker: int = PACKS_PER_WORKER) -> None:
        self.workers = workers
        self.packs_per_worker = packs_per_worker
        self._pool: ProcessPoolExecutor | None = None
        self._served = 0
        self._next: tuple[ProcessPoolExecutor, Future[None]] | None = None
        self._retired: list[ProcessPoolExecutor] = []

    def _new_pool(self) -> tuple[ProcessPoolExecutor, Future[None]]:
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )
        return pool, pool.submit(_ready)

    def pids(self) -> list[int]:
        """The worker processes alive now (for tests and the memory benchmark)."""
        pools = [*self._retired, self._pool, self._next[0] if self._next else None]
        pids = []
        for pool in pools:
            processes = getattr(pool, "_processes", None) or {}
            pids += [pid for pid, process in processes.items() if process.is_alive()]
        return pids

    def _current(self) -> ProcessPoolExecutor:
        """The pool to draw the next pack: the replacement once it is warm, else the old one."""
        if self._next is not None and self._next[1].done():
            old, (self._pool, _) = self._pool, self._next
            self._next, self._served = None, 0
            if old is not None:
                old.shutdown(wait=False)  # its worker finishes what it has, then exits
                self._retired = [p for p in self._retired if getattr(p, "_processes", None)]
                self._retired.append(old)
        if self._pool is None:
            self._pool, _ = self._new_pool()
        return self._pool

    def _submit(self, text: PackText) -> asyncio.Future[bytes]:
        pool = self._current()
        future = asyncio.get_running_loop().run_in_executor(pool, draw, text)
        self._served += 1
        if self._served >= self.packs_per_worker and self._next is None:
            self._next = self._new_pool()  # warms up meanwhile
        return future

    async def build(self, text: PackText) -> bytes:
        """The pack's PDF, drawn in a worker; a pool broken by a worker that died (out of
        memory, say) is replaced once."""
        for attempt in (1, 2):
            try:
                return await self._submit(text)
            except BrokenProcessPool:
                log.warning("the board pack worker stopped unexpectedly (attempt %d)", attempt)
                broken, self._pool, self._served = self._pool, None, 0
                if broken is not None:
                    broken.shutdown(wait=False, cancel_futures=True)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def ready(self) -> None:
        """Wait until a replacement being warmed (if any) and the current pool are ready."""
        if self._next is not None:
            await asyncio.wrap_future(self._next[1])
        pool = self._current() if self._pool is not None or self._next is not None else None
        if pool is not None:
            await asyncio.wrap_future(pool.submit(_ready))

    def shutdown(self) -> None:
        """Stop every worker (waiting for packs being drawn)."""
        pools = [*self._retired, self._pool, self._next[0] if self._next else None]
        self._pool, self._next, self._retired, self._served = None, None, [], 0
        for pool in pools:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

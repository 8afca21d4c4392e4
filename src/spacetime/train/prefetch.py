"""Work items computed ahead by worker processes, handed back in order.

Rendering world clips is CPU work; on a GPU it is what the training waits for. Each item is
a pure function of its index (the world is seeded per step or per shard), so computing items
in other processes changes nothing in what the run sees.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_fn: Callable[[Any], Any] | None = None  # the function a worker applies; set before the fork


def _call(item: Any) -> Any:
    assert _fn is not None
    return _fn(item)


def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)  # the workers share the cores: one thread each
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the trainer's to handle


def ahead(fn: Callable[[Any], Any], items: Iterable[Any], workers: int) -> Iterator[Any]:
    """fn(item) for each item, in order. workers > 0 computes up to 2 * workers of them ahead in
    forked processes (fn may be a closure: the fork copies it); 0 computes each when asked."""
    if workers <= 0:
        yield from map(fn, items)
        return
    import torch

    global _fn
    _fn = fn
    pool = mp.get_context("fork").Pool(workers, initializer=_one_thread)
    threads = torch.get_num_threads()  # the workers take their cores; this process the rest
    torch.set_num_threads(max(1, (os.cpu_count() or 1) - workers))
    try:
        queue: deque = deque()
        for item in items:
            queue.append(pool.apply_async(_call, (item,)))
            if len(queue) >= 2 * workers:
                yield queue.popleft().get()
        while queue:
            yield queue.popleft().get()
    finally:
        pool.terminate()
        torch.set_num_threads(threads)
        _fn = None

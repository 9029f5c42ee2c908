"""One cache policy for the whole engine: bounded, keyed by the content a stage reads, safe across threads.

Every stage keys its cache by exactly the inputs it reads (the catalog's content ``version``, and the parts
of the assessment that matter to it), never by ``id()``. A cache holds at most ``size`` entries and drops
the least recently used. When several sessions ask for the same missing key at once, one computes it and
the others wait for its answer (an error is not cached: each caller sees it raised).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")

_ALL: list[ContentCache[object]] = []
_ALL_LOCK = threading.Lock()


class _Pending:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.failed = False


class ContentCache(Generic[T]):
    """A least-recently-used map from content keys to results, shared by every session of the process."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        with _ALL_LOCK:
            _ALL.append(self)  # type: ignore[arg-type]

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached result for ``key``, computing it (once, however many threads ask) when absent."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = _Pending()
                self.misses += 1
        assert pending is not None
        if not owner:
            pending.done.wait()
            if not pending.failed:
                return pending.value  # type: ignore[return-value]
            return compute()  # the owner failed: raise the same error here, for this caller
        try:
            value = compute()
        except BaseException:
            pending.failed = True
            raise
        else:
            pending.value = value
            with self._lock:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            pending.done.set()

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


def clear_all() -> None:
    """Forget every cached result (benchmarks use it to measure cold runs)."""
    with _ALL_LOCK:
        caches = list(_ALL)
    for cache in caches:
        cache.clear()


def caches() -> dict[str, int]:
    """Entries per cache, by name (for benchmarks and tests)."""
    with _ALL_LOCK:
        return {c.name: len(c) for c in _ALL}


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    size: int


def content_cached(name: str, size: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a pure function of hashable content (text, JSON, numbers) with a :class:`ContentCache`."""

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        cache: ContentCache[T] = ContentCache(name, size)

        @functools.wraps(fn)
        def wrapper(*args: Hashable, **kwargs: Hashable) -> T:
            return cache.get((args, tuple(sorted(kwargs.items()))), lambda: fn(*args, **kwargs))

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        wrapper.cache_info = lambda: CacheInfo(cache.hits, cache.misses, len(cache))  # type: ignore[attr-defined]
        return wrapper

    return decorate

"""The analysis cache recognises an unchanged file by its stat, as git's index does.

Size, mtime, ctime and inode unchanged (and the entry not "racily clean") → the analysis is taken
without reading the file; anything changed → the file is rehashed, and decoded only when its
content is new; ``verify`` rehashes every file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

import shelfcheck.analysis.cache as cache_module
from helpers import Workspace, make_image, write_csv
from shelfcheck.analysis.cache import ImageCache
from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_image
from shelfcheck.policy import load_policy

PARAMS = WhiteParams.of(load_policy().images.white_background)
KEY = PARAMS.key()
HOUR_AGO_NS = time.time_ns() - 3600 * 10**9


def _bmp(path: Path, background: tuple[int, int, int]) -> Path:
    """An uncompressed photo: its size depends on its dimensions only, not on its pixels."""
    return make_image(path, size=(320, 320), fmt="BMP", background=background)


def _cached(db: Path, path: Path) -> ImageInfo:
    """Analyse ``path`` through a cache at ``db`` (as the engine does: look up, decode, store)."""
    cache = ImageCache(db)
    found = cache.lookup(str(path), KEY)
    info = found or analyse_image(path.name, str(path), PARAMS)
    if found is None:
        cache.store([info], KEY)
    cache.close()
    return info


def _no_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the cache read a file it should have trusted")

    monkeypatch.setattr(cache_module, "open", refuse, raising=False)


def test_an_unchanged_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _bmp(tmp_path / "a.bmp", (255, 255, 255))
    os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    first = _cached(tmp_path / "c.sqlite", path)
    _no_reads(monkeypatch)
    cache = ImageCache(tmp_path / "c.sqlite")
    hit = cache.lookup(str(path), KEY)
    assert hit is not None and hit.sha256 == first.sha256 and hit.bands == first.bands
    assert (cache.hits, cache.rehashed) == (1, 0)


def test_same_size_and_mtime_but_new_content_is_rehashed_and_decoded(tmp_path: Path) -> None:
    path = _bmp(tmp_path / "a.bmp", (255, 255, 255))
    os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    white = _cached(tmp_path / "c.sqlite", path)
    before = os.stat(path)
    time.sleep(0.02)
    _bmp(path, (190, 190, 190))  # edited in place, then its old mtime put back
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert after.st_ctime_ns != before.st_ctime_ns  # what gives the edit away
    cache = ImageCache(tmp_path / "c.sqlite")
    assert cache.lookup(str(path), KEY) is None  # new content: to be decoded
    assert cache.rehashed == 1
    grey = analyse_image("a.bmp", str(path), PARAMS)
    assert grey.sha256 != white.sha256 and grey.bands != white.bands
    cache.store([grey], KEY)
    assert cache.lookup(str(path), KEY) is not None


def test_touched_or_replaced_but_same_content_is_rehashed_not_decoded(tmp_path: Path) -> None:
    path = _bmp(tmp_path / "a.bmp", (255, 255, 255))
    os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    first = _cached(tmp_path / "c.sqlite", path)
    os.utime(path, ns=(HOUR_AGO_NS + 10**9, HOUR_AGO_NS + 10**9))  # touched
    cache = ImageCache(tmp_path / "c.sqlite")
    hit = cache.lookup(str(path), KEY)
    assert hit is not None and hit.sha256 == first.sha256 and cache.rehashed == 1
    cache.close()  # the new stat is remembered: the next run trusts it
    cache = ImageCache(tmp_path / "c.sqlite")
    assert cache.lookup(str(path), KEY) is not None and cache.rehashed == 0
    cache.close()
    copy = tmp_path / "copy.bmp"  # replaced by a rename: another inode, same size and mtime
    shutil.copy2(path, copy)
    os.replace(copy, path)
    cache = ImageCache(tmp_path / "c.sqlite")
    assert cache.lookup(str(path), KEY) is not None and cache.rehashed == 1


def test_racily_clean_entries_are_rehashed_until_old_enough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system with whole-second times: an edit in the same second changes no stat field."""
    real_stat = os.stat

    def coarse(path: Any, *args: Any, **kwargs: Any) -> Any:
        st = real_stat(path, *args, **kwargs)
        fields = list(st)
        for i in (7, 8, 9):  # st_atime, st_mtime, st_ctime (whole seconds)
            fields[i] = int(fields[i])
        extra = {name: getattr(st, name) // 10**9 * 10**9 for name in ("st_atime_ns", "st_mtime_ns", "st_ctime_ns")}
        return _Coarse(fields, extra, st)

    class _Coarse:
        def __init__(self, fields: list[Any], extra: dict[str, int], st: Any) -> None:
            self._st, self._extra = st, extra

        def __getattr__(self, name: str) -> Any:
            return self._extra[name] if name in self._extra else getattr(self._st, name)

    monkeypatch.setattr(cache_module.os, "stat", coarse)
    while time.time_ns() % 10**9 > 5 * 10**8:  # start early in a second: both writes fall in it
        time.sleep(0.01)
    path = _bmp(tmp_path / "a.bmp", (255, 255, 255))
    cache = ImageCache(tmp_path / "c.sqlite")
    assert cache.lookup(str(path), KEY) is None
    white = analyse_image("a.bmp", str(path), PARAMS)
    white.mtime_ns = coarse(path).st_mtime_ns  # what a coarse file system would have recorded
    cache.store([white], KEY)
    _bmp(path, (190, 190, 190))  # the same second, the same size: stat cannot tell
    seen = coarse(path)
    assert (seen.st_size, seen.st_mtime_ns) == (white.size_bytes, white.mtime_ns)
    assert cache.lookup(str(path), KEY) is None  # racy: rehashed, and the edit is caught
    assert cache.rehashed == 1
    grey = analyse_image("a.bmp", str(path), PARAMS)
    grey.mtime_ns = coarse(path).st_mtime_ns
    cache.store([grey], KEY)
    assert cache.lookup(str(path), KEY) is not None and cache.rehashed == 2  # still racy: rehashed again
    later = time.time_ns() + cache_module.RACY_NS + 10**9  # the entry rewritten long after the file
    monkeypatch.setattr(cache_module.time, "time_ns", lambda: later)
    cache.close()
    _no_reads(monkeypatch)
    cache = ImageCache(tmp_path / "c.sqlite")
    hit = cache.lookup(str(path), KEY)
    assert hit is not None and hit.sha256 == grey.sha256 and cache.rehashed == 0  # now trusted


def test_verify_rehashes_every_file(tmp_path: Path) -> None:
    a = _bmp(tmp_path / "a.bmp", (255, 255, 255))
    b = _bmp(tmp_path / "b.bmp", (190, 190, 190))
    for path in (a, b):
        os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    db = tmp_path / "c.sqlite"
    info_a, info_b = _cached(db, a), _cached(db, b)
    with sqlite3.connect(db) as conn:  # a cache that lies about a.bmp (say, a file system that lies)
        conn.execute("UPDATE files SET sha256 = ? WHERE path = ?", (info_b.sha256, str(a)))
    trusting = ImageCache(db)
    assert trusting.lookup(str(a), KEY).sha256 == info_b.sha256  # type: ignore[union-attr]
    assert trusting.rehashed == 0
    verifying = ImageCache(db, verify=True)
    assert verifying.lookup(str(a), KEY).sha256 == info_a.sha256  # type: ignore[union-attr]
    assert verifying.lookup(str(b), KEY).sha256 == info_b.sha256  # type: ignore[union-attr]
    assert verifying.rehashed == 2
    verifying.close()
    assert ImageCache(db).lookup(str(a), KEY).sha256 == info_a.sha256  # type: ignore[union-attr]  # repaired


def test_an_old_cache_layout_is_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
                     " sha256 TEXT NOT NULL)")
        conn.execute("INSERT INTO files VALUES ('/x.jpg', 1, 1, 'ab')")
    path = _bmp(tmp_path / "a.bmp", (255, 255, 255))
    os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    _cached(db, path)
    cache = ImageCache(db)
    assert cache.enabled and cache.lookup(str(path), KEY) is not None and cache.rehashed == 0


def test_check_verify_cache_from_the_command_line(ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from shelfcheck.engine import images as engine
    from shelfcheck.cli.main import main

    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku=f"V-{i}") for i in range(2)])
    for image in (ws.root / "img").glob("*.jpg"):
        os.utime(image, ns=(HOUR_AGO_NS, HOUR_AGO_NS))

    def run(*extra: str) -> int:
        with pytest.raises(SystemExit) as done:
            main(["check", str(catalog), "--format", "json", "--jobs", "1", *extra])
        return int(done.value.code or 0)

    assert run() == 0
    first = capsys.readouterr().out
    decoded: list[str] = []
    real = engine.analyse_image
    monkeypatch.setattr(engine, "analyse_image",
                        lambda ref, path, params: decoded.append(path) or real(ref, path, params))
    rehashed: list[int] = []
    real_close = ImageCache.close
    monkeypatch.setattr(ImageCache, "close", lambda self: rehashed.append(self.rehashed) or real_close(self))
    assert run("--verify-cache") == 0
    assert capsys.readouterr().out == first and decoded == []  # rehashed, not decoded
    assert rehashed and rehashed[0] == 6  # every file of the two listings
    assert run() == 0 and rehashed[-1] == 0  # and then trusted again


def test_a_chunk_of_files_is_looked_up_in_one_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged, changed-but-same-content, new and missing files in one call: each gets what
    :meth:`lookup` would give it, and the database is asked once for all of them."""
    db = tmp_path / "c.sqlite"
    paths = [_bmp(tmp_path / f"p{i}.bmp", (255, 255, 255 - i)) for i in range(6)]
    for path in paths:
        os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    infos = [_cached(db, path) for path in paths[:4]]  # p4 and p5 never seen
    os.utime(paths[1], ns=(HOUR_AGO_NS + 10**9, HOUR_AGO_NS + 10**9))  # touched: rehashed, same content
    asked = [str(p) for p in paths] + [str(tmp_path / "missing.bmp")]
    cache = ImageCache(db)
    statements: list[str] = []
    cache._db.set_trace_callback(statements.append)  # type: ignore[union-attr]
    got = cache.lookup_many(asked, KEY)
    assert sorted(got) == [str(p) for p in paths[:4]]
    assert [got[str(p)].sha256 for p in paths[:4]] == [i.sha256 for i in infos]
    assert (cache.hits, cache.misses, cache.rehashed) == (4, 2, 1)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # one for the chunk, one for the touched file's content hash
    cache.close()
    single = ImageCache(db)
    assert [single.lookup(p, KEY) is not None for p in asked] == [True] * 4 + [False] * 3
    single.close()

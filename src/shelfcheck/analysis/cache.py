"""A persistent cache of image analyses, keyed by content hash (SQLite in the user cache folder).

Two tables: ``analyses`` maps a content hash and the analysis parameters to the result, and
``files`` remembers, for each path, the content hash last seen there with the file's size,
modification time, change time and inode — the way git's index recognises an unchanged file.

* **Unchanged file** (same size, mtime, ctime and inode as when it was cached): its analysis is
  taken without opening the file — no pixel and no byte is read.
* **Anything changed** (edited, touched, copied over, replaced by a rename, restored from a
  backup with its old mtime — the change time still moves): the file is read and hashed once;
  content the cache knows is not decoded again, new content is analysed afresh.
* **Racily clean** (git's term): a file whose mtime is not at least :data:`RACY_NS` older than
  the moment its entry was written could be modified again within the same timestamp tick
  without any of these changing (file systems keep whole or coarse seconds). Such an entry is
  never trusted on its stat alone: the file is rehashed, and the entry refreshed so the next
  run can trust it.
* ``verify=True`` (``check --verify-cache``) rehashes every file, whatever its stat says: for a
  file system whose timestamps cannot be trusted, or a cache someone suspects.

A path the cache has never seen is not hashed here (the decoder hashes what it reads), so a
cold run reads each file once. The cache never decides a result on its own: any problem with it
(a locked, corrupt or read-only database) turns it off for the run, and the images are analysed
afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import NamedTuple

from shelfcheck.analysis.images import READ_CAP, ImageInfo

_FIELDS = tuple(ImageInfo.__dataclass_fields__)  # type: ignore[attr-defined]

__all__ = ["RACY_NS", "ImageCache", "default_cache_path"]

# An entry written less than this after the file's mtime is "racily clean" (see above): two
# seconds cover file systems with one- and two-second timestamps.
RACY_NS = 2_000_000_000
_BATCH = 500  # paths per query (SQLite's older builds allow 999 parameters)
_SCHEMA_VERSION = 2  # PRAGMA user_version; an older layout of ``files`` is dropped and rebuilt

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL, cached_ns INTEGER NOT NULL, sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS analyses (
    sha256 TEXT NOT NULL, params TEXT NOT NULL, info TEXT NOT NULL, PRIMARY KEY (sha256, params)
);
"""


class _Stat(NamedTuple):
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


def default_cache_path() -> Path:
    """``$SHELFCHECK_CACHE_DIR/images.sqlite``, else the user cache folder."""
    folder = os.environ.get("SHELFCHECK_CACHE_DIR")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("shelfcheck")
    return Path(folder) / "images.sqlite"


class ImageCache:
    """Read and write cached analyses; every method degrades to a miss on a database error.

    Counters for the run: ``hits`` (analyses taken from the cache), ``misses``, and ``rehashed``
    (files read to be hashed because their stat changed, their entry was racy, or ``verify``).
    """

    def __init__(self, path: Path | None = None, *, verify: bool = False) -> None:
        self.path = path or default_cache_path()
        self.verify = verify
        self._db: sqlite3.Connection | None = None
        self._seen: dict[str, _Stat] = {}  # stat taken before the file was read, by path
        self._refresh: list[tuple[str, _Stat, str]] = []  # rehashed files whose content was known
        self.hits = 0
        self.misses = 0
        self.rehashed = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if db.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
                db.executescript(f"DROP TABLE IF EXISTS files; PRAGMA user_version = {_SCHEMA_VERSION};")
            db.executescript(_SCHEMA)
            self._db = db
        except (sqlite3.Error, OSError):
            self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def _off(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None

    def lookup(self, path: str, params: str) -> ImageInfo | None:
        """The cached analysis of the file at ``path``, or ``None`` when it must be analysed.

        Reads nothing of an unchanged file; hashes a changed, racy or (``verify``) any known file
        and takes the analysis of its content when the cache has it.
        """
        return self.lookup_many([path], params).get(path)

    def lookup_many(self, paths: list[str], params: str) -> dict[str, ImageInfo]:
        """:meth:`lookup` for many files at once (one query per :data:`_BATCH` paths): the cached
        analysis of each path that has one; the others must be analysed."""
        if self._db is None:
            return {}
        seen: dict[str, _Stat] = {}
        for path in paths:
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                continue
            if stat.S_ISREG(st.st_mode):
                seen[path] = self._seen[path] = _Stat(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        known: dict[str, tuple[object, ...]] = {}
        listed = list(seen)
        try:
            for start in range(0, len(listed), _BATCH):
                part = listed[start:start + _BATCH]
                marks = ",".join("?" * len(part))
                known.update((row[0], row[1:]) for row in self._db.execute(
                    "SELECT files.path, files.size, files.mtime_ns, files.ctime_ns, files.inode, files.cached_ns,"
                    " files.sha256, analyses.info FROM files LEFT JOIN analyses"
                    " ON analyses.sha256 = files.sha256 AND analyses.params = ?"
                    f" WHERE files.path IN ({marks})", (params, *part)))
        except sqlite3.Error:
            self._off()
            return {}
        out: dict[str, ImageInfo] = {}
        for path, now in seen.items():
            row = known.get(path)
            if row is None:  # never seen here: the decoder reads (and hashes) it once
                self.misses += 1
                continue
            found = self._decide(path, now, row, params)
            if found is not None:
                out[path] = found
        return out

    def _decide(self, path: str, now: _Stat, row: tuple[object, ...], params: str) -> ImageInfo | None:
        """The analysis of a file the ``files`` table knows (``row``: its stat when cached, when it
        was cached, its content hash and that content's analysis, if any)."""
        trusted = (not self.verify and _Stat(*row[:4]) == now  # type: ignore[arg-type]
                   and now.mtime_ns < row[4] - RACY_NS)  # type: ignore[operator]
        if trusted:
            if row[6] is None:
                self.misses += 1
                return None
            self.hits += 1
            return ImageInfo.from_dict(json.loads(row[6]))  # type: ignore[arg-type]
        digest = self._hash(path, now)
        if digest is None:
            self.misses += 1
            return None
        found = self.lookup_content(digest, params)
        if found is not None:  # same content: remember the file's new stat (written with the chunk)
            self._refresh.append((path, now, digest))
        return found

    def _hash(self, path: str, seen: _Stat) -> str | None:
        """The content hash of the file, if it is still the file ``seen`` describes."""
        if seen.size > READ_CAP:
            return None
        self.rehashed += 1
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                if os.fstat(fh.fileno()).st_ino != seen.inode:
                    return None
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except OSError:
            return None
        return digest.hexdigest()

    def lookup_content(self, sha256: str, params: str) -> ImageInfo | None:
        """The cached analysis of content with this hash (remote images, renamed files)."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT info FROM analyses WHERE sha256 = ? AND params = ?",
                                   (sha256, params)).fetchone()
        except sqlite3.Error:
            self._off()
            return None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return ImageInfo.from_dict(json.loads(row[0]))

    def store(self, infos: list[ImageInfo], params: str) -> None:
        """Remember analyses of files that were read completely (one transaction).

        A file's stat is the one :meth:`lookup` took before it was read, and only when the read
        saw the same size and mtime; so a file that changes while it is analysed is rehashed next
        time rather than trusted.
        """
        if self._db is None:
            return
        rows = [i for i in infos if i.sha256 and i.found]
        files, self._refresh = self._refresh, []
        for info in rows:
            seen = self._seen.pop(info.path or "", None)
            if seen is not None and (info.size_bytes, info.mtime_ns) == (seen.size, seen.mtime_ns):
                files.append((info.path or "", seen, info.sha256 or ""))
        if not rows and not files:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                # a shallow dict of the fields (what to_dict gives, without its deep copy): only dumped
                self._db.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?)",
                                     [(info.sha256, params, json.dumps({**{f: getattr(info, f) for f in _FIELDS},
                                                                        "ref": "", "path": None}))
                                      for info in rows])
                self._write_files(files)
        except sqlite3.Error:
            self._off()

    def _write_files(self, files: list[tuple[str, _Stat, str]]) -> None:
        assert self._db is not None
        cached = time.time_ns()
        self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [(path, *seen, cached, digest) for path, seen, digest in files])

    def close(self) -> None:
        """Write what is pending and close the database."""
        if self._refresh:
            self.store([], "")
        self._off()

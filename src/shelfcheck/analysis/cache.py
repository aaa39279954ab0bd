"""A persistent cache of image analyses, keyed by content hash (SQLite in the user cache folder).

Two tables: ``files`` maps a path with its size and modification time to the content hash last
seen there (so an unchanged file is not even read again), and ``analyses`` maps a content hash and
the analysis parameters to the result. A renamed or copied file hits the second table; an edited
file misses both. The cache never decides a result on its own: any problem with it (a locked,
corrupt or read-only database) turns it off for the run, and the images are analysed afresh.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from shelfcheck.analysis.images import ImageInfo

__all__ = ["ImageCache", "default_cache_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS analyses (
    sha256 TEXT NOT NULL, params TEXT NOT NULL, info TEXT NOT NULL, PRIMARY KEY (sha256, params)
);
"""


def default_cache_path() -> Path:
    """``$SHELFCHECK_CACHE_DIR/images.sqlite``, else the user cache folder."""
    folder = os.environ.get("SHELFCHECK_CACHE_DIR")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("shelfcheck")
    return Path(folder) / "images.sqlite"


class ImageCache:
    """Read and write cached analyses; every method degrades to a miss on a database error."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
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
        """The cached analysis of the file at ``path`` if it is unchanged since it was cached."""
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        return self._one(
            "SELECT a.info FROM files f JOIN analyses a ON a.sha256 = f.sha256 AND a.params = ?"
            " WHERE f.path = ? AND f.size = ? AND f.mtime_ns = ?",
            (params, path, st.st_size, st.st_mtime_ns),
        )

    def lookup_content(self, sha256: str, params: str) -> ImageInfo | None:
        """The cached analysis of content with this hash (remote images, renamed files)."""
        return self._one("SELECT info FROM analyses WHERE sha256 = ? AND params = ?", (sha256, params))

    def _one(self, query: str, args: tuple[object, ...]) -> ImageInfo | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(query, args).fetchone()
        except sqlite3.Error:
            self._off()
            return None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return ImageInfo.from_dict(json.loads(row[0]))

    def store(self, infos: list[ImageInfo], params: str) -> None:
        """Remember analyses of files that were read completely (one transaction)."""
        if self._db is None:
            return
        rows = [i for i in infos if i.sha256 and i.found]
        if not rows:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                for info in rows:
                    blob = info.to_dict()
                    blob["ref"], blob["path"] = "", None
                    self._db.execute("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?)",
                                     (info.sha256, params, json.dumps(blob)))
                    if info.path and info.mtime_ns is not None and info.size_bytes is not None:
                        self._db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                                         (info.path, info.size_bytes, info.mtime_ns, info.sha256))
        except sqlite3.Error:
            self._off()

    def close(self) -> None:
        self._off()

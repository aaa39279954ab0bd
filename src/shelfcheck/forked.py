"""Work done in a forked copy of this process, its output read back from a temporary file.

What a run holds once its rows are read (the products, the spooled report) is the input of the
work left, and a forked child sees it without anything being pickled to it. The child writes
what it made to a temporary file and leaves with ``os._exit`` (no exit handler, no finaliser,
no buffered output of the parent is run or written twice). The caller always has a way back: a
child that fails, or a platform without ``fork``, gives ``None`` and the caller does the work
itself.
"""

from __future__ import annotations

import gc
import os
import signal
import tempfile
from collections.abc import Callable
from typing import IO

__all__ = ["Forked", "can_fork"]


def can_fork() -> bool:
    """Whether this platform forks processes."""
    return hasattr(os, "fork")


class Forked:
    """``work(file)`` running in a forked child; :meth:`result` waits for it.

    The objects of this process are frozen for the collector across the fork, so the child's
    collections do not write to (and copy) every page it shares with this process.
    """

    def __init__(self, work: Callable[[IO[bytes]], None]) -> None:
        self._file: IO[bytes] | None = tempfile.TemporaryFile()
        thaw = gc.get_freeze_count() == 0  # a freeze already in force is its owner's to end
        gc.freeze()
        try:
            pid = os.fork()
        except BaseException:
            if thaw:
                gc.unfreeze()
            self._file.close()
            raise
        if pid == 0:  # the child: never returns
            code = 1
            try:
                work(self._file)
                self._file.flush()
                code = 0
            except BaseException:  # the parent does the work itself
                pass
            finally:
                os._exit(code)
        if thaw:
            gc.unfreeze()
        self._pid: int | None = pid

    def result(self) -> IO[bytes] | None:
        """The child's file, read from its start; ``None`` when the child failed. Waits for it."""
        pid, self._pid = self._pid, None
        file, self._file = self._file, None
        if pid is None or file is None:
            return None
        try:
            _, status = os.waitpid(pid, 0)
        except BaseException:
            _stop(pid)
            file.close()
            raise
        if os.waitstatus_to_exitcode(status) != 0:
            file.close()
            return None
        file.seek(0)
        return file

    def cancel(self) -> None:
        """Stop the child, when it is still running, and let go of its file."""
        if self._pid is not None:
            _stop(self._pid)
            self._pid = None
        if self._file is not None:
            self._file.close()
            self._file = None


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (OSError, ChildProcessError):  # gone already
        pass

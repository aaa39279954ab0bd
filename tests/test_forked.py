"""Work in a forked copy of the process (shelfcheck.forked): its file back, or None when it fails."""

from __future__ import annotations

import os
import time
from typing import IO

import pytest

from shelfcheck.forked import Forked, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="the platform does not fork")


def test_the_copy_writes_its_file_and_sees_this_process() -> None:
    seen = {"values": [1, 2, 3]}  # made before the fork: the copy has it without pickling
    parent = os.getpid()

    def work(file: IO[bytes]) -> None:
        assert os.getpid() != parent
        file.write(repr(sum(seen["values"])).encode())

    forked = Forked(work)
    result = forked.result()
    assert result is not None and result.read() == b"6"
    result.close()
    assert forked.result() is None  # once only


def test_a_copy_that_fails_gives_none() -> None:
    def work(file: IO[bytes]) -> None:
        file.write(b"half")
        raise ValueError("broken")

    assert Forked(work).result() is None


def test_a_cancelled_copy_is_stopped_and_reaped() -> None:
    forked = Forked(lambda file: time.sleep(60))
    pid = forked._pid
    assert pid is not None
    started = time.monotonic()
    forked.cancel()
    assert time.monotonic() - started < 10
    assert forked.result() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: not left behind


def test_the_freeze_for_the_copy_ends_with_it_unless_one_was_in_force() -> None:
    import gc

    assert gc.get_freeze_count() == 0
    with Forked(lambda file: None).result() as done:
        assert done is not None
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        with Forked(lambda file: None).result():
            assert gc.get_freeze_count() > 0  # still the caller's
    finally:
        gc.unfreeze()

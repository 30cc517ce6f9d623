"""caselib.claims: the main process and the worker share the case pages; none is lost, none waited for in vain."""

from __future__ import annotations

import os
import random
import tempfile
import threading

from caselib.claims import Claims


def test_the_worker_takes_pages_from_the_end_until_it_meets_the_main_process():
    main = Claims.create()
    other = Claims(os.dup(main.fd))   # the worker maps the same file (it inherits the descriptor)
    try:
        assert main.main_takes(0) and main.main_takes(1)
        assert other.worker_takes(9) and other.worker_takes(8)
        assert main.main_takes(2)
        assert other.worker_takes(7) and other.worker_takes(3)
        assert not other.worker_takes(2)       # the main process has it: the worker stops
        assert not main.main_takes(3)          # the worker has it: the main process waits for it
        assert main.taken_by_worker(9) and not main.taken_by_worker(2)
    finally:
        other.close()
        main.close()
    assert main.fd == -1
    main.close()   # again: nothing happens (the old number may name another file by now)


def test_no_page_is_lost_when_both_race_for_the_same_pages():
    """Both sides at full speed, many times: every page is rendered by at least one side, and the
    main process only ever waits for pages the worker did take (it would wait forever otherwise)."""
    for attempt in range(200):
        count = random.randint(1, 60)
        main = Claims.create()
        other = Claims(os.dup(main.fd))
        by_worker: set[int] = set()
        arrived = threading.Condition()

        def work() -> None:
            for index in range(count - 1, -1, -1):
                if not other.worker_takes(index):
                    return
                with arrived:
                    by_worker.add(index)
                    arrived.notify_all()

        thread = threading.Thread(target=work)
        thread.start()
        by_main, waited = set(), set()
        for index in range(count):
            if main.main_takes(index):
                by_main.add(index)
            else:
                with arrived:
                    assert arrived.wait_for(lambda: index in by_worker, timeout=10), (attempt, index)
                waited.add(index)
        thread.join()
        other.close()
        main.close()
        assert by_main | waited == set(range(count))
        assert waited <= by_worker


def test_the_claims_file_is_never_in_the_temporary_folder(tmp_path, monkeypatch):
    """Removed as soon as it is made, so a build that is killed cannot leave it behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    claims = Claims.create()
    try:
        assert list(tmp_path.iterdir()) == []
        assert claims.main_takes(0) and not claims.taken_by_worker(0)
    finally:
        claims.close()

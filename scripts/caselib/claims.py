"""Who renders which case page: the main process from the front, the worker from the back.

Both processes can turn a case page's Markdown into HTML. The main process goes through the
pages in its order (0, 1, 2, …) and the worker takes them from the end (n-1, n-2, …); they meet
somewhere in between, wherever their speeds put the meeting point, so neither waits for the other
while there are pages left. Two numbers in a small shared file say how far each has come:

    front  the main process has taken every page below it (it renders them itself)
    back   the worker has taken every page from it up (it renders them and sends the HTML)

Each process writes only its own number. A page can at worst be taken by both (both read the
other's number just before it moved): the main process then renders it itself and ignores the
worker's copy. No page is taken by neither: the main process waits for the worker's copy only
when the worker has already said it takes that page.
"""

from __future__ import annotations

import mmap
import os
import struct
import tempfile

_FORMAT = "<qq"                  # front, back
_SIZE = struct.calcsize(_FORMAT)
NONE_TAKEN = 2 ** 62             # back before the worker takes any page


class Claims:
    """The shared front and back of one build: a temporary file both processes map into memory.

    The file is removed as soon as it is made; the open descriptor is all that names it, and the
    worker inherits it (a copy of this process, or a fresh interpreter given it with pass_fds).
    So nothing is left in the temporary folder even when a build is killed.
    """

    def __init__(self, fd: int):
        """Map the claims file open as `fd`; the object owns the descriptor (close() closes it)."""
        self.fd = fd
        self._map = mmap.mmap(fd, _SIZE)

    @classmethod
    def create(cls) -> Claims:
        return cls(shared_file(struct.pack(_FORMAT, 0, NONE_TAKEN), "caselib-claims-"))

    def _read(self) -> tuple[int, int]:
        return struct.unpack_from(_FORMAT, self._map)

    def main_takes(self, index: int) -> bool:
        """The main process is at page `index`: True when it should render it itself (the worker has
        not taken it); False when the worker has taken it (wait for the worker's copy)."""
        if self.taken_by_worker(index):
            return False
        struct.pack_into("<q", self._map, 0, index + 1)
        return True

    def worker_takes(self, index: int) -> bool:
        """The worker would take page `index` (going down): True when it may (the main process has
        not reached it); False when the pages have met and the worker should stop."""
        if index < self._read()[0]:
            return False
        struct.pack_into("<q", self._map, 8, index)
        return True

    def taken_by_worker(self, index: int) -> bool:
        return index >= self._read()[1]

    def close(self) -> None:
        try:
            self._map.close()
        except (BufferError, ValueError):
            pass
        if self.fd >= 0:   # once: the number may name another file after it is closed
            os.close(self.fd)
            self.fd = -1


def shared_file(data: bytes, prefix: str) -> int:
    """A descriptor of a new temporary file holding `data`, already removed from its folder."""
    fd, name = tempfile.mkstemp(prefix=prefix)
    os.unlink(name)
    os.write(fd, data)
    return fd

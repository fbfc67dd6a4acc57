"""Large downloads (the log, the event exports) written in full before the first byte
is sent: a database error is then an error answer, never a truncated file, and a slow
reader holds no database connection or snapshot while it reads."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

SPOOL_IN_MEMORY = 8 * 1024 * 1024  # bytes kept in memory before a temporary file
CHUNK = 64 * 1024


def spooled(parts: Iterable[bytes]) -> Iterator[bytes]:
    """``parts`` read in full now, into memory then a temporary file; the chunks to
    send, which close the file once sent."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (sent)
    try:
        for part in parts:
            spool.write(part)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return _chunks(spool)


def _chunks(spool: Any) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk

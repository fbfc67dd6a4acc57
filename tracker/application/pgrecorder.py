"""A PostgreSQL recorder that can save a whole large load in one transaction.

psycopg 3.3, in pipeline mode, hangs for good when one statement's parameter is very
large (an array of some 10 MB: a load of 10,000-20,000 events); the same statement
outside a pipeline completes. The library pipelines every save, so a big
``tracker load`` on PostgreSQL never finished. Small batches keep the library's
pipelined path; large ones take the same steps (the exclusive table lock that keeps
log positions in commit order, the notification, one INSERT, the new ids) in one
ordinary transaction, so a load still writes all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry

PIPELINE_LIMIT = 500  # events; a typical editor's save is one or a few


class LargeBatchPostgresRecorder(PostgresApplicationRecorder):
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if len(stored_events) <= PIPELINE_LIMIT or self.datastore.enable_db_functions:
            return super().insert_events(stored_events, **kwargs)
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

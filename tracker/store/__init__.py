"""The event store: which store a URL chooses (``persistence``), how domain values are
stored (``transcodings``), and the log's hash chain with the recorders that keep it
(``chain``, ``chainrecorders``, ``pgrecorder``).

It knows the library's persistence layer and the domain's values, never the
application, so that the application opens the store and not the other way round."""

"""The domain: what a plan and a commitment are, and the rules a record must keep.

It imports only the standard library and ``eventsourcing.domain``, so that it can be
reasoned about (and tested) without any database, web framework or file format.
"""

"""Aggregate ids derived from slugs, so that loading the same files twice finds the
same aggregates instead of creating new ones. Cached: a load asks for the same id
once per event."""

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("5d0c3a55-9f1e-4b7a-8a43-6c1f1f2b7e10")


def catalogue_id() -> UUID:
    return uuid5(NAMESPACE, "catalogue")


@lru_cache(maxsize=4096)
def plan_id(plan: str) -> UUID:
    return uuid5(NAMESPACE, f"plan/{plan}")


@lru_cache(maxsize=65536)
def commitment_id(plan: str, commitment: str) -> UUID:
    return uuid5(NAMESPACE, f"commitment/{plan}/{commitment}")

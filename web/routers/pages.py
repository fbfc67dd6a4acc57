"""Routes: see the site issue."""

from fastapi import APIRouter

router = APIRouter()

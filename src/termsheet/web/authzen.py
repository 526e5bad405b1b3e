"""OpenID AuthZEN Authorization API 1.0: decisions at /access/v1/evaluation(s)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["authzen"])

"""Helpers for role-by-role rule tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import ROLES, fresh


def allowed_roles(world: Any, perm: str, obj: Any) -> set[str]:
    return {role for role in ROLES if fresh(world[role]).has_perm(perm, obj)}

"""Need-to-know as SQL: a `Scope` becomes WHERE conditions, so lists filter in the database."""

from __future__ import annotations

from domain.access import Scope


def case_conditions(scope: Scope, first: int) -> tuple[str, list]:
    """Conditions on the `cases c` table, with parameters numbered from `first`.

    A scope that restricts nothing matches nothing: deny by default.
    """
    parts, args = [], []

    def param(value) -> str:
        args.append(value)
        return f"${first + len(args) - 1}"

    if scope.region:
        parts.append(f"c.region = {param(scope.region)}")
    if scope.municipality:
        parts.append(f"c.municipality = {param(scope.municipality)}")
    if scope.partner:
        parts.append(f"c.partner = {param(scope.partner)}")
    if scope.police_involved:
        parts.append("c.police_involved")
    if not (scope.region or scope.municipality or scope.partner):
        return "false", []
    return " AND ".join(parts), args


def contains(text: str) -> str:
    """A LIKE pattern for `text` anywhere, its wildcards taken literally (names are compared
    folded: `fold_name` on both sides)."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

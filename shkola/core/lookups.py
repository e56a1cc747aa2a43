"""``field__in_subquery``: membership in a subquery that PostgreSQL can use an index for.

``Q(class_unit_id=c) | Q(group__class_unit_id=c)`` (a class's own lessons and its subgroups')
joins the groups and filters after the join, so PostgreSQL scans every lesson of the region
in those dates: 60–70 ms for one class's week on 30 schools. ``group_id IN (SELECT …)`` is no
better inside an OR (a hashed subplan, a sequential scan again). ``group_id = ANY(ARRAY(SELECT
…))`` runs the subquery once before the scan, so both sides of the OR become index scans
(0.2 ms). SQLite plans the plain ``IN (SELECT …)`` well and has no arrays."""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, Lookup


class InSubquery(Lookup):
    lookup_name = "in_subquery"
    prepare_rhs = False

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return lhs, rhs, [*lhs_params, *rhs_params]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", tuple(params)

    def as_postgresql(self, compiler: Any, connection: Any) -> Any:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", tuple(params)


def register() -> None:
    Field.register_lookup(InSubquery)
    # relations keep their own lookup table (Django stops at ForeignObject in their MRO)
    ForeignObject.register_lookup(InSubquery)

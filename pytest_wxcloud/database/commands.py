"""``db.command``: the query, logic, update and projection commands of the SDK.

Commands are inert descriptions, like the SDK's ``QueryCommand``/``LogicCommand``/
``UpdateCommand`` objects; :mod:`.serialize` turns them into the MongoDB form the backend
receives (including the SDK's quirks). Names follow DESIGN.md: snake_case, with a trailing
underscore where the JavaScript name is a Python keyword (``in_``, ``and_``, ``or_``, ``not_``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..errors import SDKTypeError, SDKUsageError
from .values import MISSING, Geometry, MultiPolygon, Point, Polygon


class _Chainable:
    """Shared by query and logic commands: ``.and_()`` / ``.or_()`` build a logic command."""

    __slots__ = ("operands", "operator")

    def __init__(self, operator: str, operands: list[Any]) -> None:
        self.operator = operator
        self.operands = operands

    def and_(self, *others: Any) -> LogicCommand:
        return LogicCommand("and", [self, *_varargs(others)])

    def or_(self, *others: Any) -> LogicCommand:
        return LogicCommand("or", [self, *_varargs(others)])

    def __repr__(self) -> str:
        return f"_.{self.operator}({', '.join(map(repr, self.operands))})"


class QueryCommand(_Chainable):
    """A field-level comparison such as ``_.gt(5)``."""

    __slots__ = ()


class LogicCommand(_Chainable):
    """``_.and_/_.or_/_.nor/_.not_`` and chains of commands; hoisted to top level when serialized."""

    __slots__ = ()


class UpdateCommand:
    """A field update such as ``_.inc(1)``; only meaningful as a value in update data."""

    __slots__ = ("operator", "value")

    def __init__(self, operator: str, value: Any) -> None:
        self.operator = operator
        self.value = value

    def __repr__(self) -> str:
        return f"_.{self.operator}({self.value!r})"


class ExprCommand:
    """``_.expr(aggregateExpression)``: a top-level ``$expr`` condition."""

    __slots__ = ("expression",)

    def __init__(self, expression: Any) -> None:
        self.expression = expression


class ProjectionCommand:
    """``_.project.slice(n)`` / ``_.project.elem_match(cond)`` used in ``field()``."""

    __slots__ = ("operator", "value")

    def __init__(self, operator: str, value: Any) -> None:
        self.operator = operator
        self.value = value


COMMAND_TYPES = (QueryCommand, LogicCommand, UpdateCommand, ExprCommand, ProjectionCommand)


def _varargs(args: tuple[Any, ...]) -> list[Any]:
    """The SDK's ``and(a, b)`` and ``and([a, b])`` are the same call."""
    if len(args) == 1 and isinstance(args[0], list):
        return list(args[0])
    return list(args)


class ProjectCommands:
    def slice(self, value: int | list[int]) -> ProjectionCommand:
        return ProjectionCommand("slice", value)

    def elem_match(self, condition: Mapping[str, Any] | QueryCommand) -> ProjectionCommand:
        return ProjectionCommand("elemMatch", condition)


def _check_geometry(name: str, geometry: Any, allowed: tuple[type[Geometry], ...]) -> Geometry:
    if not isinstance(geometry, allowed):
        names = " or ".join(cls.__name__ for cls in allowed)
        raise SDKTypeError(
            f'"geometry" must be of type {names}. Received type {type(geometry).__name__} ({geometry!r})'
            f" in _.{name}"
        )
    return geometry


class Command:
    """``db.command`` (conventionally bound to ``_``).

    Each database handle has its own, bound to its cloud's clock, so ``db.server_date()`` inside
    aggregate sub-pipelines resolves against the same time as everything else.
    """

    project = ProjectCommands()

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now

    @property
    def aggregate(self) -> Any:
        from .aggregate.builder import AggregateCommands

        return AggregateCommands(now=self._now)

    # --- comparison ---------------------------------------------------------------------
    def eq(self, value: Any) -> QueryCommand:
        return QueryCommand("eq", [value])

    def neq(self, value: Any) -> QueryCommand:
        return QueryCommand("neq", [value])

    def lt(self, value: Any) -> QueryCommand:
        return QueryCommand("lt", [value])

    def lte(self, value: Any) -> QueryCommand:
        return QueryCommand("lte", [value])

    def gt(self, value: Any) -> QueryCommand:
        return QueryCommand("gt", [value])

    def gte(self, value: Any) -> QueryCommand:
        return QueryCommand("gte", [value])

    def in_(self, values: list[Any]) -> QueryCommand:
        return QueryCommand("in", [values])

    def nin(self, values: list[Any]) -> QueryCommand:
        return QueryCommand("nin", [values])

    # --- arrays and fields --------------------------------------------------------------
    def all(self, values: list[Any]) -> QueryCommand:
        return QueryCommand("all", [values])

    def elem_match(self, condition: Any) -> QueryCommand:
        return QueryCommand("elemMatch", [condition])

    def exists(self, flag: bool) -> QueryCommand:
        return QueryCommand("exists", [flag])

    def size(self, length: int) -> QueryCommand:
        return QueryCommand("size", [length])

    def mod(self, divisor: int | list[int], remainder: int | None = None) -> QueryCommand:
        if isinstance(divisor, list):
            return QueryCommand("mod", list(divisor))
        return QueryCommand("mod", [divisor, remainder])

    # --- geo ----------------------------------------------------------------------------
    def geo_near(
        self,
        geometry: Point | None = None,
        max_distance: float | None = None,
        min_distance: float | None = None,
    ) -> QueryCommand:
        point = _check_geometry("geo_near", geometry, (Point,))
        options: dict[str, Any] = {"geometry": point}
        if max_distance is not None:
            options["maxDistance"] = max_distance
        if min_distance is not None:
            options["minDistance"] = min_distance
        return QueryCommand("geoNear", [options])

    def geo_within(
        self, geometry: Polygon | MultiPolygon | None = None, center_sphere: list[Any] | None = None
    ) -> QueryCommand:
        if center_sphere is not None:
            if geometry is not None:
                raise SDKUsageError("_.geo_within takes either geometry or center_sphere, not both")
            if not isinstance(center_sphere, (list, tuple)) or len(center_sphere) != 2:
                raise SDKTypeError(
                    f'"centerSphere" must be [Point or [lng, lat], radius in radians], got {center_sphere!r}'
                )
            return QueryCommand("geoWithin", [{"centerSphere": list(center_sphere)}])
        shape = _check_geometry("geo_within", geometry, (Polygon, MultiPolygon))
        return QueryCommand("geoWithin", [{"geometry": shape}])

    def geo_intersects(self, geometry: Geometry | None = None) -> QueryCommand:
        shape = _check_geometry("geo_intersects", geometry, (Geometry,))
        return QueryCommand("geoIntersects", [{"geometry": shape}])

    # --- logic --------------------------------------------------------------------------
    def and_(self, *conditions: Any) -> LogicCommand:
        return LogicCommand("and", _varargs(conditions))

    def or_(self, *conditions: Any) -> LogicCommand:
        return LogicCommand("or", _varargs(conditions))

    def nor(self, *conditions: Any) -> LogicCommand:
        return LogicCommand("nor", _varargs(conditions))

    def not_(self, condition: Any) -> LogicCommand:
        return LogicCommand("not", [condition])

    def expr(self, expression: Any) -> ExprCommand:
        return ExprCommand(expression)

    # --- update -------------------------------------------------------------------------
    def set(self, value: Any) -> UpdateCommand:
        return UpdateCommand("set", value)

    def remove(self) -> UpdateCommand:
        return UpdateCommand("remove", "")

    def inc(self, amount: Any) -> UpdateCommand:
        return UpdateCommand("inc", amount)

    def mul(self, factor: Any) -> UpdateCommand:
        return UpdateCommand("mul", factor)

    def min(self, value: Any) -> UpdateCommand:
        return UpdateCommand("min", value)

    def max(self, value: Any) -> UpdateCommand:
        return UpdateCommand("max", value)

    def rename(self, new_name: str) -> UpdateCommand:
        return UpdateCommand("rename", new_name)

    def bit(self, operation: Mapping[str, int]) -> UpdateCommand:
        return UpdateCommand("bit", operation)

    def push(
        self,
        *values: Any,
        each: Any = MISSING,
        position: int | None = None,
        sort: Any = None,
        slice: int | None = None,
    ) -> UpdateCommand:
        """``push(1)``, ``push(1, 2)``, ``push([1, 2])`` or ``push(each=[...], position=, sort=, slice=)``.

        As in the SDK, a single dict argument with an ``each`` key is the modifier form; any
        other dict is pushed as one element.
        """
        if (
            each is MISSING
            and len(values) == 1
            and isinstance(values[0], Mapping)
            and "each" in values[0]
        ):
            options = dict(values[0])
            each = options.pop("each")
            position = options.pop("position", position)
            sort = options.pop("sort", sort)
            slice = options.pop("slice", slice)
            if options:
                raise SDKUsageError(
                    f"_.push: unknown option(s) {sorted(options)}; accepted: each, position, sort, slice"
                )
            values = ()
        if each is not MISSING:
            if values:
                raise SDKUsageError("_.push takes either values or each=[...], not both")
            if not isinstance(each, list):
                raise SDKTypeError(f"_.push: each must be a list, got {each!r}")
            modifier: dict[str, Any] = {"$each": list(each)}
            if position is not None:
                modifier["$position"] = position
            if sort is not None:
                modifier["$sort"] = sort
            if slice is not None:
                modifier["$slice"] = slice
            return UpdateCommand("push", modifier)
        return UpdateCommand("push", {"$each": _varargs(values)})

    def pop(self) -> UpdateCommand:
        return UpdateCommand("pop", 1)

    def shift(self) -> UpdateCommand:
        return UpdateCommand("pop", -1)

    def unshift(self, *values: Any) -> UpdateCommand:
        return UpdateCommand("push", {"$each": _varargs(values), "$position": 0})

    def add_to_set(self, value: Any) -> UpdateCommand:
        return UpdateCommand("addToSet", value)

    def pull(self, condition: Any) -> UpdateCommand:
        return UpdateCommand("pull", condition)

    def pull_all(self, values: list[Any]) -> UpdateCommand:
        return UpdateCommand("pullAll", values)

    # --- misuse -------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        known = [n for n in dir(type(self)) if not n.startswith("_")]
        close = [k for k in known if name.lower().startswith(k) or k.startswith(name.lower())]
        close += [k for k in difflib.get_close_matches(name, known, n=3) if k not in close]
        hint = f"; did you mean {', '.join('_.' + c for c in close)}?" if close else ""
        raise AttributeError(
            f"db.command has no command {name!r} (_.{name} is not a function){hint}"
        )


__all__ = [
    "COMMAND_TYPES",
    "Command",
    "ExprCommand",
    "LogicCommand",
    "ProjectionCommand",
    "QueryCommand",
    "UpdateCommand",
]

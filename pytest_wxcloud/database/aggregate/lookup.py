"""``$lookup``: the equality join (``localField``/``foreignField``) and the ``let`` + ``pipeline`` join.

The equality join is a hash join: the foreign collection is indexed once per stage on the
MongoDB-equality key of every value its ``foreignField`` offers (an array offers itself and its
elements, a missing field offers null), so each local document costs one lookup per local value.
A local array joins on any of its elements; a missing local field joins foreign nulls/missings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..paths import split_path, values_along
from .expressions import compile_expression, resolve_path
from .fields import split_field, with_field
from .support import (
    MAX_STAGE_DOCUMENTS,
    Evaluator,
    RunContext,
    StageFn,
    SubPipeline,
    check_variable_name,
    fail,
    hash_key,
    show,
)

Doc = dict[str, Any]
_ALLOWED = ("from", "localField", "foreignField", "as", "let", "pipeline")


def compile_lookup(
    spec: Any, variables: frozenset[str], compile_sub: Callable[[Any, frozenset[str]], SubPipeline]
) -> StageFn:
    """``compile_sub(stages, variables)`` compiles a sub-pipeline (passed in to avoid a cycle)."""
    if spec.__class__ is not dict:
        raise fail(f"the $lookup specification must be an Object, but found {show(spec)}")
    for key in spec:
        if key not in _ALLOWED:
            raise fail(f"unknown argument to $lookup: {key}; accepted: {', '.join(_ALLOWED)}")
    source_name = spec.get("from")
    if source_name.__class__ is not str or not source_name:
        raise fail("must specify 'from' field for a $lookup (a collection name string)")
    if "as" not in spec:
        raise fail("must specify 'as' field for a $lookup")
    as_parts = split_field(spec["as"], "$lookup 'as'")
    if "pipeline" in spec or "let" in spec:
        if "localField" in spec or "foreignField" in spec:
            raise fail("$lookup with 'pipeline' may not specify 'localField' or 'foreignField'")
        return _pipeline_join(spec, source_name, as_parts, variables, compile_sub)
    for key in ("localField", "foreignField"):
        if key not in spec:
            raise fail(
                f"$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified (missing '{key}')"
            )
    local_parts = split_field(spec["localField"], "$lookup 'localField'")
    foreign_path = ".".join(split_field(spec["foreignField"], "$lookup 'foreignField'"))
    return _equality_join(source_name, local_parts, foreign_path, as_parts)


def _equality_join(
    source_name: str, local_parts: tuple[str, ...], foreign_path: str, as_parts: tuple[str, ...]
) -> StageFn:
    foreign_parts = split_path(foreign_path)

    def lookup(docs: list[Doc], ctx: RunContext) -> list[Doc]:
        index: dict[Any, list[tuple[int, Doc]]] = {}
        for position, foreign in enumerate(ctx.source(source_name)):
            keys = set()
            for value in values_along(foreign, foreign_parts):
                keys.add(hash_key(value))
                if value.__class__ is list:
                    keys.update(hash_key(v) for v in value)
            for key in keys:
                index.setdefault(key, []).append((position, foreign))
        out = []
        joined_total = 0
        for doc in docs:
            local = resolve_path(doc, local_parts)
            wanted = local if local.__class__ is list else [local]
            matches: dict[int, Doc] = {}
            for value in wanted:
                for position, foreign in index.get(hash_key(value), ()):
                    matches[position] = foreign
            joined = [matches[p] for p in sorted(matches)]
            joined_total += len(joined)
            _check_total(joined_total)
            out.append(with_field(doc, as_parts, joined))
        return out

    return lookup


def _pipeline_join(
    spec: Mapping[str, Any],
    source_name: str,
    as_parts: tuple[str, ...],
    variables: frozenset[str],
    compile_sub: Callable[[Any, frozenset[str]], SubPipeline],
) -> StageFn:
    let_spec = spec.get("let", {})
    if let_spec.__class__ is not dict:
        raise fail(f"$lookup argument 'let' must be an object, is type {show(let_spec)}")
    bindings: list[tuple[str, Evaluator]] = []
    for name, expr in let_spec.items():
        check_variable_name(name)
        bindings.append((name, compile_expression(expr, variables)))
    stages = spec.get("pipeline", [])
    if stages.__class__ is not list:
        raise fail(f"$lookup argument 'pipeline' must be an array, is type {show(stages)}")
    sub = compile_sub(stages, variables | {name for name, _ in bindings})

    def lookup(docs: list[Doc], ctx: RunContext) -> list[Doc]:
        foreign = ctx.source(source_name)
        out = []
        joined_total = 0
        scope = ctx.variables
        for doc in docs:
            inner = dict(scope)
            for name, fn in bindings:
                inner[name] = fn(doc, scope)
            joined = sub.run(foreign, ctx.with_variables(inner))
            joined_total += len(joined)
            _check_total(joined_total)
            out.append(with_field(doc, as_parts, joined))
        return out

    return lookup


def _check_total(total: int) -> None:
    if total > MAX_STAGE_DOCUMENTS:
        raise fail(
            f"$lookup joined more than {MAX_STAGE_DOCUMENTS} documents in total; the emulator bounds "
            "every stage's output at that many documents (MAX_STAGE_DOCUMENTS) to fail cleanly instead "
            "of exhausting memory — add a $match or $limit before the join"
        )

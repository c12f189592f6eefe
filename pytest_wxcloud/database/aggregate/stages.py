"""The aggregation pipeline: stages compiled once, then run over a list of documents.

:func:`run_pipeline` is what ``collection.aggregate()...end()`` executes. Stages receive the
stored documents and never modify them: every change builds new dicts (unchanged sub-values are
shared, so callers must copy results at the API boundary, as ``values.to_caller`` does).
Every stage's output is bounded by :data:`MAX_STAGE_DOCUMENTS`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ...errors import UnknownOperatorError
from ..matching import compile_filter
from ..ordering import sort_documents
from ..values import MISSING
from .expressions import compile_expression
from .fields import get_field, split_field, with_field
from .geonear import compile_geo_near
from .grouping import (
    compile_bucket,
    compile_bucket_auto,
    compile_count,
    compile_group,
    compile_sort_by_count,
)
from .lookup import compile_lookup
from .projection import EXCLUDE, add_fields, parse_spec, project_document
from .query_expr import variables_bound
from .support import (
    MAX_STAGE_DOCUMENTS,
    NO_VARIABLES,
    RunContext,
    StageFn,
    as_int,
    fail,
    is_number,
    show,
    type_name,
)

Doc = dict[str, Any]

STAGES = (
    "$addFields", "$bucket", "$bucketAuto", "$count", "$geoNear", "$group", "$limit", "$lookup",
    "$match", "$project", "$replaceRoot", "$sample", "$skip", "$sort", "$sortByCount", "$unwind",
)  # fmt: skip

#: Real MongoDB stages the cloud SDK cannot send (sdk.md §3.2/§3.8) or the emulator does not run.
_NOT_OFFERED = {
    "$facet": "declared in the SDK typings but missing at run time (this._aggregate[stage] is not a function)",
    "$out": "declared in the SDK typings but missing at run time",
    "$graphLookup": "declared in the SDK typings but missing at run time",
    "$indexStats": "declared in the SDK typings but missing at run time",
    "$collStats": "declared in the SDK typings but missing at run time",
    "$redact": "declared in the SDK typings but missing at run time",
}


def run_pipeline(
    stages: Sequence[Mapping[str, Any]],
    docs: Iterable[Doc],
    *,
    source: Callable[[str], list[Doc]],
    rng: random.Random,
) -> list[Doc]:
    """Run MongoDB-form ``stages`` over ``docs``; ``source(name)`` supplies ``$lookup`` collections."""
    return Pipeline(stages).run(list(docs), RunContext(source, rng, NO_VARIABLES))


class Pipeline:
    """A compiled pipeline; ``variables`` are the let-variables a ``$lookup`` sub-pipeline sees."""

    __slots__ = ("stages",)

    def __init__(self, stages: Any, variables: frozenset[str] = frozenset()) -> None:
        if stages.__class__ is not list and not isinstance(stages, tuple):
            raise fail(f"a pipeline must be an array of stage objects, got {show(stages)}")
        self.stages = [
            (_stage_name(stage), _compile_stage(stage, i, variables))
            for i, stage in enumerate(stages)
        ]

    def run(self, docs: list[Doc], ctx: RunContext) -> list[Doc]:
        for name, stage in self.stages:
            docs = stage(docs, ctx)
            if len(docs) > MAX_STAGE_DOCUMENTS:
                raise _too_many(name)
        return docs


def _too_many(name: str) -> Exception:
    return fail(
        f"{name} produced more than {MAX_STAGE_DOCUMENTS} documents; the emulator bounds every "
        "stage's output at that many (MAX_STAGE_DOCUMENTS) to fail cleanly instead of exhausting "
        "memory — filter or limit earlier in the pipeline"
    )


def _stage_name(stage: Any) -> str:
    if stage.__class__ is not dict or len(stage) != 1:
        raise fail(
            f"A pipeline stage specification object must contain exactly one field, got {show(stage)}"
        )
    name = next(iter(stage))
    if name not in STAGES:
        reason = _NOT_OFFERED.get(name, "unrecognized pipeline stage name")
        raise UnknownOperatorError(name, f"aggregate pipeline ({reason})", STAGES)
    return name  # type: ignore[no-any-return]


def _compile_stage(stage: Mapping[str, Any], position: int, variables: frozenset[str]) -> StageFn:
    name = _stage_name(stage)
    spec = stage[name]
    if name == "$match":
        return _match(spec, variables)
    if name == "$project":
        return _project(spec, variables)
    if name == "$addFields":
        return _add_fields(spec, variables)
    if name == "$group":
        return _scoped(compile_group(spec, variables))
    if name == "$sortByCount":
        return _scoped(compile_sort_by_count(spec, variables))
    if name == "$bucket":
        return _scoped(compile_bucket(spec, variables))
    if name == "$bucketAuto":
        return _scoped(compile_bucket_auto(spec, variables))
    if name == "$count":
        return _scoped(compile_count(spec))
    if name == "$lookup":
        return compile_lookup(spec, variables, Pipeline)
    if name == "$geoNear":
        return compile_geo_near(spec, position)
    if name == "$limit":
        return _limit(spec)
    if name == "$skip":
        return _skip(spec)
    if name == "$sort":
        return _sort(spec)
    if name == "$sample":
        return _sample(spec)
    if name == "$replaceRoot":
        return _replace_root(spec, variables)
    return _unwind(spec)


def _scoped(fn: Callable[[list[Doc], Mapping[str, Any]], list[Doc]]) -> StageFn:
    return lambda docs, ctx: fn(docs, ctx.variables)


# --------------------------------------------------------------------------- filtering, shaping


def _match(spec: Any, variables: frozenset[str]) -> StageFn:
    if spec.__class__ is not dict:
        raise fail(f"the match filter must be an expression in an object, got {show(spec)}")
    keep = compile_filter(spec)
    if not variables:
        return lambda docs, ctx: keep(docs)

    def match_with_variables(docs: list[Doc], ctx: RunContext) -> list[Doc]:
        with variables_bound(ctx.variables):
            return keep(docs)

    return match_with_variables


def _project(spec: Any, variables: frozenset[str]) -> StageFn:
    root, mode = parse_spec("$project", spec, variables, computing_only=False)
    assert mode is not None
    if mode == EXCLUDE:
        return lambda docs, ctx: [project_document(d, root, mode, NO_VARIABLES) for d in docs]
    return lambda docs, ctx: [project_document(d, root, mode, ctx.variables) for d in docs]


def _add_fields(spec: Any, variables: frozenset[str]) -> StageFn:
    root, _ = parse_spec("$addFields", spec, variables, computing_only=True)
    return lambda docs, ctx: [add_fields(d, root, d, ctx.variables) for d in docs]


def _replace_root(spec: Any, variables: frozenset[str]) -> StageFn:
    if spec.__class__ is not dict:
        raise fail(f"$replaceRoot expects an object, got {show(spec)}")
    for key in spec:
        if key != "newRoot":
            raise fail(
                f"unrecognized option to $replaceRoot stage: {key}, only valid option is 'newRoot'."
            )
    if "newRoot" not in spec:
        raise fail("no newRoot specified for the $replaceRoot stage")
    new_root = compile_expression(spec["newRoot"], variables)

    def replace_root(docs: list[Doc], ctx: RunContext) -> list[Doc]:
        out = []
        for doc in docs:
            value = new_root(doc, ctx.variables)
            if value.__class__ is not dict:
                raise fail(
                    "'newRoot' expression must evaluate to an object, but resulting value was: "
                    f"{show(value)}. Type of resulting value: '{type_name(value)}'. Input document: {show(doc)}"
                )
            out.append(value)
        return out

    return replace_root


# --------------------------------------------------------------------------- order and size


def _count_option(stage: str, spec: Any) -> int:
    if not is_number(spec):
        raise fail(
            f"the {stage} must be specified as a number, got {show(spec)} ({type_name(spec)})"
        )
    value = as_int(spec)
    if value is None:
        raise fail(
            f"invalid argument to {stage} stage: Cannot represent as a 64-bit integer: {show(spec)}"
        )
    return value


def _limit(spec: Any) -> StageFn:
    n = _count_option("$limit", spec)
    if n <= 0:
        raise fail(f"the limit must be positive, got {n}")
    return lambda docs, ctx: docs[:n]


def _skip(spec: Any) -> StageFn:
    n = _count_option("$skip", spec)
    if n < 0:
        raise fail(
            f"invalid argument to $skip stage: Cannot skip a negative number of documents: {n}"
        )
    return lambda docs, ctx: docs[n:]


def _sort(spec: Any) -> StageFn:
    if spec.__class__ is not dict:
        raise fail(f"the $sort key specification must be an object, got {show(spec)}")
    if not spec:
        raise fail("$sort stage must have at least one sort key")
    order: list[tuple[str, int]] = []
    for path, direction in spec.items():
        split_field(path, "$sort key")
        if direction.__class__ is dict:
            raise fail(
                f"$sort by {show(direction)} needs text-search metadata ($meta), which the cloud "
                "database only has for a $text query; sort by a field instead"
            )
        if not is_number(direction) or direction not in (1, -1):
            raise fail(
                f"$sort key ordering must be 1 (for ascending) or -1 (for descending), got {show(direction)} for {path!r}"
            )
        order.append((path, int(direction)))
    return lambda docs, ctx: sort_documents(docs, order)


def _sample(spec: Any) -> StageFn:
    if spec.__class__ is not dict:
        raise fail(f"the $sample stage specification must be an object, got {show(spec)}")
    for key in spec:
        if key != "size":
            raise fail(f"unrecognized option to $sample: {key}")
    if "size" not in spec:
        raise fail("$sample stage must specify a size")
    size = spec["size"]
    if not is_number(size):
        raise fail(f"size argument to $sample must be a number, got {show(size)}")
    n = as_int(size)
    if n is None:
        n = int(size)
    if n < 0:
        raise fail("size argument to $sample must not be negative")
    return lambda docs, ctx: ctx.rng.sample(docs, min(n, len(docs)))


# --------------------------------------------------------------------------- $unwind


def _unwind(spec: Any) -> StageFn:
    options: dict[str, Any]
    if spec.__class__ is str:
        options = {"path": spec}
    elif spec.__class__ is dict:
        options = spec
        for key in options:
            if key not in ("path", "includeArrayIndex", "preserveNullAndEmptyArrays"):
                raise fail(f"unrecognized option to $unwind stage: {key}")
    else:
        raise fail(
            f"expected either a string or an object as specification for $unwind stage, got {type_name(spec)}"
        )
    path = options.get("path", "")
    if path.__class__ is not str:
        raise fail(f"expected a string as the path for $unwind stage, got {type_name(path)}")
    if not path:
        raise fail("no path specified to $unwind stage")
    if not path.startswith("$"):
        raise fail(f"path option to $unwind stage should be prefixed with a '$': {path}")
    parts = split_field(path[1:], "$unwind path")
    preserve = options.get("preserveNullAndEmptyArrays", False)
    if preserve.__class__ is not bool:
        raise fail(
            f"expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage, got {type_name(preserve)}"
        )
    index_parts: tuple[str, ...] | None = None
    if "includeArrayIndex" in options:
        index_name = options["includeArrayIndex"]
        if index_name.__class__ is not str or not index_name:
            raise fail(
                f"expected a non-empty string for the includeArrayIndex option to $unwind stage, got {type_name(index_name)}"
            )
        if index_name.startswith("$"):
            raise fail(
                f"includeArrayIndex option to $unwind stage should not be prefixed with a '$': {index_name}"
            )
        index_parts = split_field(index_name, "includeArrayIndex")

    def unwind(docs: list[Doc], ctx: RunContext) -> list[Doc]:
        out: list[Doc] = []
        for doc in docs:
            value = get_field(doc, parts)
            if value.__class__ is list:
                if value:
                    for i, element in enumerate(value):
                        item = with_field(doc, parts, element)
                        if index_parts is not None:
                            item = with_field(item, index_parts, i)
                        out.append(item)
                    if len(out) > MAX_STAGE_DOCUMENTS:
                        raise _too_many("$unwind")
                    continue
                if not preserve:
                    continue
                item = with_field(doc, parts, MISSING)
            elif value is None or value is MISSING:
                if not preserve:
                    continue
                item = doc
            else:
                item = doc
            if index_parts is not None:
                item = with_field(item, index_parts, None)
            out.append(item)
        return out

    return unwind

"""Update documents (``{"$set": {...}, "$inc": {...}}``) compiled once into copy-and-modify functions.

Everything that can be rejected without looking at a stored document (unknown operators, bad
operands, conflicting paths, touching ``_id``) is rejected at compile time, so a multi-document
update fails before the first document changes. The compiled function never mutates the stored
document it is given: it returns a modified copy, and any error leaves the original untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import DatabaseError, UnknownOperatorError
from .bson_size import document_size
from .compare import compare, values_equal
from .matching import compile_query
from .ordering import SortSpec, sort_values
from .paths import (
    Path,
    bson_repr,
    bson_type_name,
    get_path,
    path_crosses_array,
    set_path,
    split_path,
    unset_path,
)
from .values import INT64_MAX, INT64_MIN, MAX_DOCUMENT_BYTES, MISSING, RegExp, clone

Document = dict[str, Any]
Applier = Callable[[Document], None]

UPDATE_OPERATORS = (
    "$addToSet", "$bit", "$inc", "$max", "$min", "$mul", "$pop", "$pull", "$pullAll", "$push",
    "$rename", "$set", "$unset",
)  # fmt: skip
PUSH_MODIFIERS = ("$each", "$position", "$slice", "$sort")


def _bad(message: str) -> DatabaseError:
    return DatabaseError(-502001, message)


def _is_number(value: Any) -> bool:
    return value.__class__ is int or value.__class__ is float


def _doc_id(root: Document) -> str:
    return f"{{_id: {bson_repr(root.get('_id', MISSING))}}}"


def _field(path: str, operand: Any) -> str:
    return f"{{{path}: {bson_repr(operand)}}}"


# --------------------------------------------------------------------------- paths


def _check_path(path: Any) -> Path:
    if not isinstance(path, str):
        raise DatabaseError(-501007, f"update field names must be strings, got {path!r}")
    if path == "":
        raise _bad("An empty update path is not valid.")
    parts = split_path(path)
    if any(segment == "" for segment in parts):
        raise _bad(f"The update path '{path}' contains an empty field name, which is not allowed.")
    for segment in parts:
        if segment.startswith("$"):
            raise UnknownOperatorError(
                segment,
                f"the update path '{path}' (positional update operators are not supported; "
                "address array elements by index, e.g. 'arr.0')",
            )
    if parts[0] == "_id":
        raise DatabaseError(-501007, "不能更新_id的值")
    return parts


class _Paths:
    """Paths touched so far, to reject two operators writing the same or nested locations."""

    def __init__(self) -> None:
        self.seen: list[Path] = []

    def add(self, parts: Path) -> None:
        for other in self.seen:
            shorter = min(len(other), len(parts))
            if other[:shorter] == parts[:shorter]:
                raise _bad(
                    f"Updating the path '{'.'.join(parts)}' would create a conflict at "
                    f"'{'.'.join(parts[:shorter])}'"
                )
        self.seen.append(parts)


def _check_storable(value: Any, path: str) -> None:
    """Written values reach the store as they are, so they obey the field-name rules ``add``
    enforces (MongoDB's "not valid for storage"), or a document could hold a name no query can
    address."""
    if value.__class__ is dict:
        for key, item in value.items():
            where = f"{path}.{key}"
            if not key:
                raise _bad(f"The empty field name in '{where}' is not valid for storage.")
            if key.startswith("$"):
                raise _bad(
                    f"The dollar ($) prefixed field '{key}' in '{where}' is not valid for storage."
                )
            if "." in key:
                raise _bad(f"The dotted field '{key}' in '{where}' is not valid for storage.")
            _check_storable(item, where)
    elif value.__class__ is list:
        for index, item in enumerate(value):
            _check_storable(item, f"{path}.{index}")


# --------------------------------------------------------------------------- simple operators


def _set(parts: Path, operand: Any) -> Applier:
    if operand.__class__ is dict or operand.__class__ is list:
        _check_storable(operand, ".".join(parts))
        return lambda root: set_path(root, parts, clone(operand))
    return lambda root: set_path(root, parts, operand)


def _unset(parts: Path, operand: Any) -> Applier:
    return lambda root: unset_path(root, parts)


def _arithmetic(op: str, parts: Path, operand: Any) -> Applier:
    verb = "increment" if op == "$inc" else "multiply"
    if not _is_number(operand):
        raise _bad(f"Cannot {verb} with non-numeric argument: {_field(parts[-1], operand)}")
    path = ".".join(parts)

    def apply(root: Document) -> None:
        current = get_path(root, parts)
        if current is MISSING:
            result = operand if op == "$inc" else operand * 0
        elif not _is_number(current):
            raise _bad(
                f"Cannot apply {op} to a value of non-numeric type. {_doc_id(root)} has the "
                f"field '{parts[-1]}' of non-numeric type {bson_type_name(current)}"
            )
        else:
            result = current + operand if op == "$inc" else current * operand
        if result.__class__ is int and not INT64_MIN <= result <= INT64_MAX:
            raise _bad(
                f"Failed to apply {op} operations to current value ({bson_repr(current)}) "
                f"for document {_doc_id(root)}: the result overflows a 64-bit integer ({path})"
            )
        set_path(root, parts, result)

    return apply


def _extremum(op: str, parts: Path, operand: Any) -> Applier:
    wanted = -1 if op == "$min" else 1
    value = clone(operand)

    def apply(root: Document) -> None:
        current = get_path(root, parts)
        if current is MISSING or compare(value, current) == wanted:
            set_path(root, parts, clone(value))

    return apply


_BIT_OPS: dict[str, Callable[[int, int], int]] = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
}


def _bit(parts: Path, operand: Any) -> Applier:
    if not isinstance(operand, Mapping):
        raise _bad(
            f"The $bit modifier is not compatible with a {bson_type_name(operand)}. You must pass "
            "in an embedded document: {$bit: {field: {and/or/xor: #}}"
        )
    if not operand:
        raise _bad(
            "You must pass in at least one bitwise operation. The format is: "
            "{$bit: {field: {and/or/xor: #}}"
        )
    steps: list[tuple[Callable[[int, int], int], int]] = []
    for name, value in operand.items():
        if name not in _BIT_OPS:
            raise _bad(
                f"The $bit modifier only supports 'and', 'or', and 'xor', not '{name}' which is "
                f"an unknown operator: {_field(name, value)}"
            )
        if value.__class__ is not int:
            raise _bad(
                "The $bit modifier field must be an Integer(32/64 bit); a "
                f"'{bson_type_name(value)}' is not supported here: {_field(name, value)}"
            )
        steps.append((_BIT_OPS[name], value))

    def apply(root: Document) -> None:
        current = get_path(root, parts)
        if current is MISSING:
            current = 0
        elif current.__class__ is not int:
            raise _bad(
                f"Cannot apply $bit to a value of non-integral type.{_doc_id(root)} has the "
                f"field {parts[-1]} of non-integer type {bson_type_name(current)}"
            )
        for function, value in steps:
            current = function(current, value)
        set_path(root, parts, current)

    return apply


def _rename(parts: Path, operand: Any, paths: _Paths) -> Applier:
    source = ".".join(parts)
    if not isinstance(operand, str):
        raise _bad(f"The 'to' field for $rename must be a string: {source}: {bson_repr(operand)}")
    target = _check_path(operand)
    if target == parts:
        raise _bad(f'The source and target field for $rename must differ: {source}: "{operand}"')
    shorter = min(len(target), len(parts))
    if target[:shorter] == parts[:shorter]:
        raise _bad(
            "The source and target field for $rename must not be on the same path: "
            f'{source}: "{operand}"'
        )
    paths.add(target)

    def apply(root: Document) -> None:
        through = path_crosses_array(root, parts)
        if through is not None:
            raise _bad(
                f"The source field cannot be an array element, '{source}' in doc with "
                f"_id: {bson_repr(root.get('_id'))} has an array field called '{through}'"
            )
        value = get_path(root, parts)
        if value is MISSING:
            return
        through = path_crosses_array(root, target)
        if through is not None:
            raise _bad(
                f"The destination field cannot be an array element, '{operand}' in doc with "
                f"_id: {bson_repr(root.get('_id'))} has an array field called '{through}'"
            )
        unset_path(root, parts)
        set_path(root, target, value)

    return apply


# --------------------------------------------------------------------------- arrays


def _array_at(root: Document, parts: Path, op: str) -> list[Any] | None:
    """The array an array operator works on: None when missing, an error when not an array."""
    current = get_path(root, parts)
    if current is MISSING:
        return None
    if current.__class__ is not list:
        path = ".".join(parts)
        if op == "$push":
            raise _bad(
                f"The field '{path}' must be an array but is of type "
                f"{bson_type_name(current)} in document {_doc_id(root)}"
            )
        if op == "$addToSet":
            raise _bad(
                f"Cannot apply $addToSet to non-array field. Field named '{parts[-1]}' has "
                f"non-array type {bson_type_name(current)}"
            )
        if op == "$pop":
            raise _bad(
                f"Path '{path}' contains an element of non-array type '{bson_type_name(current)}'"
            )
        raise _bad(f"Cannot apply {op} to a non-array value")
    result: list[Any] = current
    return result


def _whole_number(value: Any) -> bool:
    return value.__class__ is int or (value.__class__ is float and value.is_integer())


def _push_sort(spec: Any) -> SortSpec:
    invalid = (
        "The $sort is invalid: use 1/-1 to sort the whole element, "
        "or {field:1/-1} to sort embedded fields"
    )
    if _is_number(spec):
        if spec not in (1, -1):
            raise _bad(invalid)
        return int(spec)
    if not isinstance(spec, Mapping):
        raise _bad(invalid)
    if not spec:
        raise _bad("The $sort pattern is empty when it should be a set of fields.")
    keys: list[tuple[str, int]] = []
    for path, direction in spec.items():
        if not _is_number(direction) or direction not in (1, -1):
            raise _bad("The $sort element value must be either 1 or -1")
        if not path or "" in split_path(path):
            raise _bad("The $sort field is a dotted field but has an empty part: " + path)
        keys.append((path, int(direction)))
    return keys


def _push(parts: Path, operand: Any) -> Applier:
    position: int | None = None
    slice_to: int | None = None
    sort: SortSpec | None = None
    if isinstance(operand, Mapping) and "$each" in operand:
        for key in operand:
            if key not in PUSH_MODIFIERS:
                raise _bad(f"Unrecognized clause in $push: {key}")
        each = operand["$each"]
        if not isinstance(each, list):
            raise _bad(
                "The argument to $each in $push must be an array but it was of type: "
                f"{bson_type_name(each)}"
            )
        if "$position" in operand:
            value = operand["$position"]
            if not _whole_number(value):
                raise _bad(
                    "The value for $position must be an integer value, not of type: "
                    f"{bson_type_name(value)}"
                )
            position = int(value)
        if "$slice" in operand:
            value = operand["$slice"]
            if not _whole_number(value):
                raise _bad(
                    "The value for $slice must be an integer value but was given type: "
                    f"{bson_type_name(value)}"
                )
            slice_to = int(value)
        if "$sort" in operand:
            sort = _push_sort(operand["$sort"])
        items = each
    else:
        items = [operand]
    for item in items:
        _check_storable(item, ".".join(parts))

    def apply(root: Document) -> None:
        current = _array_at(root, parts, "$push")
        array = list(current) if current is not None else []
        added = [clone(v) for v in items]
        if position is None or position >= len(array):
            array.extend(added)
        else:
            at = max(0, len(array) + position) if position < 0 else position
            array[at:at] = added
        if sort is not None:
            array = sort_values(array, sort)
        if slice_to is not None:
            array = array[:slice_to] if slice_to >= 0 else array[slice_to:]
        set_path(root, parts, array)

    return apply


def _pop(parts: Path, operand: Any) -> Applier:
    if not _is_number(operand):
        raise _bad(f"Expected a number in: {parts[-1]}: {bson_repr(operand)}")
    if operand not in (1, -1):
        raise _bad(f"$pop expects 1 or -1, found: {bson_repr(operand)}")
    last = operand == 1

    def apply(root: Document) -> None:
        current = _array_at(root, parts, "$pop")
        if current:
            set_path(root, parts, current[:-1] if last else current[1:])

    return apply


def _add_to_set(parts: Path, operand: Any) -> Applier:
    if isinstance(operand, Mapping) and operand and next(iter(operand)) == "$each":
        if len(operand) > 1:
            extra = [k for k in operand if k != "$each"]
            raise _bad(f"Found unexpected fields after $each in $addToSet: {extra[0]}")
        items = operand["$each"]
        if not isinstance(items, list):
            raise _bad(
                "The argument to $each in $addToSet must be an array but it was of type "
                f"{bson_type_name(items)}"
            )
    else:
        items = [operand]
    for item in items:
        _check_storable(item, ".".join(parts))

    def apply(root: Document) -> None:
        current = _array_at(root, parts, "$addToSet")
        array = list(current) if current is not None else []
        changed = current is None
        for item in items:
            if not any(values_equal(existing, item) for existing in array):
                array.append(clone(item))
                changed = True
        if changed:
            set_path(root, parts, array)

    return apply


_QUERY_ONLY_KEYWORDS = ("$and", "$or", "$nor", "$expr", "$where", "$text", "$jsonSchema")


def _pull_matcher(operand: Any) -> Callable[[Any], bool]:
    """How ``$pull`` decides an element goes (MongoDB's object / wrapped / equality matchers)."""
    if isinstance(operand, Mapping):
        first = next(iter(operand), "")
        if not (isinstance(first, str) and first.startswith("$")) or first in _QUERY_ONLY_KEYWORDS:
            query = compile_query(operand)
            return lambda element: element.__class__ is dict and query(element)
        wrapped = compile_query({"": operand})
        return lambda element: wrapped({"": element})
    if isinstance(operand, RegExp):
        wrapped = compile_query({"": operand})
        return lambda element: wrapped({"": element})
    return lambda element: values_equal(element, operand)


def _pull(parts: Path, operand: Any) -> Applier:
    matches = _pull_matcher(operand)

    def apply(root: Document) -> None:
        current = _array_at(root, parts, "$pull")
        if current is not None:
            kept = [e for e in current if not matches(e)]
            if len(kept) != len(current):
                set_path(root, parts, kept)

    return apply


def _pull_all(parts: Path, operand: Any) -> Applier:
    if not isinstance(operand, list):
        raise _bad(f"$pullAll requires an array argument but was given a {bson_type_name(operand)}")

    def apply(root: Document) -> None:
        current = _array_at(root, parts, "$pull")
        if current is not None:
            kept = [e for e in current if not any(values_equal(e, x) for x in operand)]
            if len(kept) != len(current):
                set_path(root, parts, kept)

    return apply


# --------------------------------------------------------------------------- compiling


def _applier(op: str, parts: Path, operand: Any, paths: _Paths) -> Applier:
    if op == "$set":
        return _set(parts, operand)
    if op == "$unset":
        return _unset(parts, operand)
    if op in ("$inc", "$mul"):
        return _arithmetic(op, parts, operand)
    if op in ("$min", "$max"):
        return _extremum(op, parts, operand)
    if op == "$rename":
        return _rename(parts, operand, paths)
    if op == "$bit":
        return _bit(parts, operand)
    if op == "$push":
        return _push(parts, operand)
    if op == "$pop":
        return _pop(parts, operand)
    if op == "$addToSet":
        return _add_to_set(parts, operand)
    if op == "$pull":
        return _pull(parts, operand)
    return _pull_all(parts, operand)


def compile_update(update: Mapping[str, Mapping[str, Any]]) -> Callable[[Document], Document]:
    """A function returning the updated copy of a stored document (the argument is untouched).

    Raises UnknownOperatorError for unknown ``$`` operators and DatabaseError with MongoDB's
    wording for bad operands and conflicting paths, before any document is looked at; errors
    that depend on stored values (``$inc`` on a string …) are raised by the returned function.
    """
    if not isinstance(update, Mapping):
        raise DatabaseError(-501007, f"an update must be an object, got {bson_repr(update)}")
    appliers: list[Applier] = []
    paths = _Paths()
    for op, fields in update.items():
        if not isinstance(op, str) or not op.startswith("$"):
            raise _bad(
                f"Unknown modifier: {op}. Expected a valid update modifier or pipeline-style "
                "update specified as an array"
            )
        if op not in UPDATE_OPERATORS:
            raise UnknownOperatorError(op, "an update", UPDATE_OPERATORS)
        if not isinstance(fields, Mapping):
            raise _bad(
                f"Modifiers operate on fields but we found type {bson_type_name(fields)} instead. "
                f"For example: {{$mod: {{<field>: ...}}}} not {{{op}: {bson_repr(fields)}}}"
            )
        for path, operand in fields.items():
            parts = _check_path(path)
            paths.add(parts)
            appliers.append(_applier(op, parts, operand, paths))

    def apply(doc: Document) -> Document:
        updated: Document = clone(doc)
        for applier in appliers:
            applier(updated)
        size = document_size(updated)
        if size > MAX_DOCUMENT_BYTES:
            raise _bad(
                f"Resulting document after update is larger than {MAX_DOCUMENT_BYTES} "
                f"(document {_doc_id(doc)} would be {size} bytes as BSON)"
            )
        return updated

    return apply


__all__ = ["PUSH_MODIFIERS", "UPDATE_OPERATORS", "compile_update"]

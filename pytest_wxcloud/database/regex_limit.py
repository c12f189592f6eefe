"""A deterministic stand-in for PCRE's match limit on ``$regex``.

A repeated group that itself contains an unbounded quantifier (``(a+)+``, ``(\\w+\\s?)*``,
``(.*,){5}``) backtracks exponentially on a string it does not match: ``/(a+)+$/`` on 26
characters takes Python's ``re`` seconds, and doubles every character, all under the store lock.
MongoDB's PCRE counts its backtracking steps and fails the query when the count passes its match
limit (10,000,000), which such a pattern reaches at about 24 characters.

Counting steps is impossible with ``re``, and a wall-clock timeout would make a test pass or fail
with the machine's speed, so the bound is structural: a pattern with a nested unbounded
quantifier is run only on strings of at most :data:`MAX_NESTED_QUANTIFIER_SUBJECT` characters
(at worst about 2**20 steps, a fraction of a second); on a longer string the query fails with
PCRE's match-limit error. Patterns without that shape (the keyword searches and anchored
prefixes real code builds) are never limited.
"""

from __future__ import annotations

import functools

from ..errors import DatabaseError

#: longest string a pattern with a nested unbounded quantifier is run on
MAX_NESTED_QUANTIFIER_SUBJECT = 20

_UNBOUNDED = -1


def match_limit_error(pattern: str, length: int) -> DatabaseError:
    return DatabaseError(
        -502001,
        "Error occurred while executing the regular expression. Result code: -47 (the PCRE "
        f"match limit: /{pattern}/ repeats a group that contains an unbounded quantifier, "
        f"which backtracks exponentially; such patterns are run on strings of at most "
        f"{MAX_NESTED_QUANTIFIER_SUBJECT} characters here, this one has {length}; write the "
        "pattern without the nested quantifier, e.g. (a+)+ as a+)",
    )


@functools.lru_cache(maxsize=512)
def has_nested_quantifier(pattern: str) -> bool:
    """Whether a group repeated more than once contains an unbounded quantifier."""
    # one flag per open group: does its body hold an unbounded quantifier?
    open_groups: list[bool] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _after_class(pattern, i)
            continue
        if char == "(":
            i, is_group = _after_group_opening(pattern, i)
            if is_group:
                open_groups.append(False)
            continue
        if char == ")":
            inner = open_groups.pop() if open_groups else False
            most, i = _quantifier(pattern, i + 1)
            if inner and (most == _UNBOUNDED or most > 1):
                return True
            if open_groups and (inner or most == _UNBOUNDED):
                open_groups[-1] = True
            continue
        most, after = _quantifier(pattern, i)
        if after != i:
            if most == _UNBOUNDED and open_groups:
                open_groups[-1] = True
            i = after
            continue
        i += 1
    return False


def _after_class(pattern: str, i: int) -> int:
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _after_group_opening(pattern: str, i: int) -> tuple[int, bool]:
    """Past ``(``, ``(?:``, ``(?=``, ``(?<name>`` …; False for inline flags and ``(?P=name)``."""
    j = i + 1
    if pattern[j : j + 1] != "?":
        return j, True
    j += 1
    head = pattern[j : j + 1]
    if head in (":", "=", "!", ">"):
        return j + 1, True
    if pattern[j : j + 2] in ("<=", "<!"):
        return j + 2, True
    if head == "<" or pattern[j : j + 2] == "P<":
        return pattern.find(">", j) + 1 or len(pattern), True
    if head == "P":  # (?P=name): a back-reference, not a group
        return pattern.find(")", j) + 1 or len(pattern), False
    while j < len(pattern) and (pattern[j].isalpha() or pattern[j] == "-"):
        j += 1
    if pattern[j : j + 1] == ":":
        return j + 1, True
    return j + 1, False  # (?i): flags for the rest of the pattern


def _quantifier(pattern: str, i: int) -> tuple[int, int]:
    """(most repetitions or _UNBOUNDED, index after it); index unchanged if none is there."""
    char = pattern[i : i + 1]
    if char in ("*", "+"):
        most, j = _UNBOUNDED, i + 1
    elif char == "?":
        most, j = 1, i + 1
    elif char == "{":
        close = pattern.find("}", i)
        body = pattern[i + 1 : close] if close > 0 else ""
        low, comma, high = body.partition(",")
        if not low.isdigit() or (high and not high.isdigit()):
            return 0, i  # a literal brace
        most = int(high) if high else (_UNBOUNDED if comma else int(low))
        j = close + 1
    else:
        return 0, i
    if pattern[j : j + 1] in ("?", "+"):  # lazy or possessive: the same repetitions
        j += 1
    return most, j


__all__ = ["MAX_NESTED_QUANTIFIER_SUBJECT", "has_nested_quantifier", "match_limit_error"]

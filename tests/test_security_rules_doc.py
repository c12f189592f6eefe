"""The security-rules page opens with the example a user copies first: it must run as written.

Its Chinese page carries the same block (tests/test_docs_translations.py), so this covers both.
"""

from __future__ import annotations

from docskit import DOCS, fences


def test_the_opening_example_runs_and_denies_bob() -> None:
    page = DOCS / "security-rules.md"
    first = next(f for f in fences(page.read_text(encoding="utf-8")) if f.language == "python")
    namespace: dict[str, object] = {}
    exec(compile(first.code, str(page), "exec"), namespace)  # our own document, not user input
    cloud = namespace["cloud"]
    milk = cloud.dump("todos")[0]  # type: ignore[attr-defined]
    assert milk["done"] is True and "x" not in milk
    assert milk["_openid"] == namespace["alice"].openid  # type: ignore[attr-defined]

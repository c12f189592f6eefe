"""The session-end security-rule coverage report: printed when rules were set, absent otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RunPytest = Callable[..., Any]

WITH_RULES = """
    from pytest_wxcloud.client import assert_allowed, assert_denied

    def test_rules(wxcloud, wx_user):
        wxcloud.seed({"posts": [{"published": True}]})
        wxcloud.permissions.set("posts", {"read": "doc.published == true || auth.openid == 'x'"})
        posts = wxcloud.client(wx_user).database().collection("posts")
        assert_allowed(posts.where({"published": True}).get)
        assert_denied(posts.get)
"""


def test_report_lists_rules_with_their_outcome_counts(run_pytest: RunPytest) -> None:
    outcome = run_pytest({"test_rules.py": WITH_RULES}, "-p", "no:randomly")
    assert outcome.returncode == 0, outcome.output
    assert "wxcloud security-rule coverage" in outcome.output
    assert "posts read: doc.published == true || auth.openid == 'x'" in outcome.output
    assert "whole rule  true=1 false=0 unknown=1 error=0" in outcome.output
    assert "col 26: auth.openid == 'x'  true=0 false=1 unknown=0 error=0  <- never true" in (
        outcome.output
    )


def test_no_report_without_rules(run_pytest: RunPytest) -> None:
    outcome = run_pytest({"test_plain.py": "def test_x(wxcloud):\n    pass\n"})
    assert outcome.returncode == 0, outcome.output
    assert "security-rule coverage" not in outcome.output

"""``security.msgSecCheck`` (v1 and v2) and ``security.imgSecCheck``, with verdicts tests choose.

Everything passes until a test says otherwise: ``block("word", …)`` makes texts containing a word
risky, ``judge`` (text → ``"pass" | "review" | "risky"``) and ``judge_image`` (bytes → the same)
decide anything else. v1 answers risky content with errcode 87014 "risky content"; v2 always
answers errcode 0 with ``result: {suggest, label}`` and a ``detail`` list (sdk.md §6).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..outcome import OpenApiError, Reply, ok
from .context import ApiCall, ApiHandler

SUGGESTS = ("pass", "review", "risky")
#: label 100 is "normal"; 21000 "other" is what a blocked word reports unless a test says
NORMAL_LABEL = 100
RISKY_LABEL = 21000

Verdict = Callable[[Any], str | None]


class ContentPolicy:
    """The verdicts ``msgSecCheck`` / ``imgSecCheck`` give."""

    def __init__(self, seed: int) -> None:
        self.words: list[str] = []
        self.judge: Verdict | None = None
        self.judge_image: Verdict | None = None
        self.label = RISKY_LABEL
        self._trace = random.Random(f"{seed}/security-trace")

    def block(self, *words: str) -> None:
        self.words.extend(words)

    def verdict_text(self, content: str) -> tuple[str, str | None]:
        """(suggest, the blocked word that decided it or None)."""
        for word in self.words:
            if word and word in content:
                return "risky", word
        return self._checked(self.judge, content), None

    def verdict_image(self, content: bytes) -> str:
        return self._checked(self.judge_image, content)

    @staticmethod
    def _checked(judge: Verdict | None, value: Any) -> str:
        if judge is None:
            return "pass"
        suggest = judge(value) or "pass"
        if suggest not in SUGGESTS:
            raise ValueError(f"a content judge must return one of {SUGGESTS}, got {suggest!r}")
        return suggest

    def trace_id(self) -> str:
        bits = self._trace.getrandbits(96)
        return f"{bits >> 64:08x}-{(bits >> 32) & 0xFFFFFFFF:08x}-{bits & 0xFFFFFFFF:08x}"


def msg_sec_check(call: ApiCall) -> Reply:
    content = call.params.get("content")
    if not isinstance(content, str):
        raise OpenApiError(47001, "data format error, content must be a string")
    policy = call.service.moderation
    version = call.params.get("version", 1)
    if version not in (1, 2):
        raise OpenApiError(47003, f"argument invalid! version must be 1 or 2, got {version!r}")
    suggest, word = policy.verdict_text(content)
    if version == 1:
        if suggest != "pass":
            raise OpenApiError(87014, "risky content")
        return ok()
    call.string("openid", 40003, "invalid openid")
    scene = call.params.get("scene")
    if scene not in (1, 2, 3, 4):
        raise OpenApiError(47003, f"argument invalid! scene must be 1, 2, 3 or 4, got {scene!r}")
    label = NORMAL_LABEL if suggest == "pass" else policy.label
    detail: list[dict[str, Any]] = [
        {"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}
    ]
    if word is not None:
        detail.append(
            {
                "strategy": "keyword",
                "errcode": 0,
                "suggest": suggest,
                "label": label,
                "level": 20,
                "keyword": word,
            }
        )
    return ok(
        result={"suggest": suggest, "label": label}, detail=detail, trace_id=policy.trace_id()
    )


def img_sec_check(call: ApiCall) -> Reply:
    media = call.media("media")
    if call.service.moderation.verdict_image(media.value) != "pass":
        raise OpenApiError(87014, "risky content")
    return ok()


APIS: dict[str, ApiHandler] = {
    "security.msgSecCheck": msg_sec_check,
    "security.imgSecCheck": img_sec_check,
}

__all__ = ["APIS", "ContentPolicy"]

"""Reading ``multipart/form-data`` bodies, for every face that receives them: the HTTP API's
upload POST (wechatpy sends the form with ``requests``' ``files=``), wx-server-sdk 2.x's upload
POST, and the CloudBase protocol's ``wx.openApi`` / ``wx.wxPayApi`` requests."""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Part:
    content: bytes
    content_type: str | None
    filename: str | None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def form_parts(content_type: str, raw: bytes) -> dict[str, Part]:
    """The named parts of a multipart body (the last wins when a name repeats)."""
    header = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + raw)
    parts: dict[str, Part] = {}
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            declared = part.get("content-type")
            parts[name] = Part(
                payload, part.get_content_type() if declared else None, part.get_filename()
            )
    return parts


__all__ = ["Part", "form_parts"]

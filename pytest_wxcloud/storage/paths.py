"""Which cloud paths storage accepts: checked before anything is stored.

COS object keys are at most 850 bytes (UTF-8); the platform refuses keys with ``..`` segments or an
empty file name, and a leading ``/`` would make a different key from the one the caller gave.
"""

from __future__ import annotations

#: COS's limit on an object key, in UTF-8 bytes
MAX_KEY_BYTES = 850


class CloudPathError(ValueError):
    """A cloud path storage would not accept, with the reason and what is accepted."""


def check_cloud_path(path: object) -> str:
    if not isinstance(path, str):
        raise CloudPathError(f"cloudPath must be a string, got {type(path).__name__} {path!r}")
    if not path:
        raise CloudPathError("cloudPath must not be empty")
    if path.startswith("/"):
        raise CloudPathError(
            f"cloudPath {path!r} must not start with '/'; write it relative, e.g. 'images/a.png'"
        )
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise CloudPathError(f"cloudPath {path!r} must not contain '.' or '..' segments")
    if not segments[-1]:
        raise CloudPathError(f"cloudPath {path!r} has an empty file name (it ends with '/')")
    if any(not segment for segment in segments):
        raise CloudPathError(f"cloudPath {path!r} has an empty folder name ('//')")
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in path):
        raise CloudPathError(f"cloudPath {path!r} contains control characters")
    if len(path.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise CloudPathError(
            f"cloudPath is {len(path.encode('utf-8', 'surrogatepass'))} bytes in UTF-8; "
            f"at most {MAX_KEY_BYTES} are accepted"
        )
    return path


__all__ = ["MAX_KEY_BYTES", "CloudPathError", "check_cloud_path"]

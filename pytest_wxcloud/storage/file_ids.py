"""fileIDs: ``cloud://<env>.<bucket>/<cloudPath>``, and the bucket name they carry.

The bucket is ``<hex of the env's first two characters>-<env>-<numeric app id>`` (sdk.md §5:
``cloud://cloud1-abc123.636c-cloud1-abc123-1300000000/images/a.png``); production's temp URLs use
the same bucket as their host (``https://636c-cloud1-abc123-1300000000.tcb.qcloud.la/…``). The
numeric app id is drawn from the cloud's seed, so fileIDs are stable across runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SCHEME = "cloud://"


class FileIdError(ValueError):
    """A fileID that is not one of this environment's (malformed, or another env's)."""


@dataclass(frozen=True, slots=True)
class Bucket:
    env: str
    app_number: int

    @classmethod
    def for_cloud(cls, env: str, seed: int) -> Bucket:
        return cls(env, random.Random(f"{seed}/storage-bucket").randint(1250000000, 1329999999))

    @property
    def name(self) -> str:
        return f"{self.env[:2].encode().hex()}-{self.env}-{self.app_number}"

    @property
    def prefix(self) -> str:
        """What every fileID of this bucket starts with, up to the cloud path."""
        return f"{SCHEME}{self.env}.{self.name}/"

    def file_id(self, cloud_path: str) -> str:
        return self.prefix + cloud_path

    def cloud_path(self, file_id: object) -> str:
        """The cloud path a fileID names; :class:`FileIdError` saying why when it names none."""
        if not isinstance(file_id, str) or not file_id.startswith(SCHEME):
            raise FileIdError(
                f"fileID {file_id!r} is not a cloud fileID; expected {self.prefix}<cloudPath>"
            )
        if not file_id.startswith(self.prefix):
            host = file_id[len(SCHEME) :].split("/", 1)[0]
            env = host.split(".", 1)[0]
            raise FileIdError(
                f"fileID {file_id!r} belongs to env {env!r} ({host}), not to this cloud's env "
                f"{self.env!r}; this env's fileIDs start with {self.prefix}"
            )
        path = file_id[len(self.prefix) :]
        if not path:
            raise FileIdError(f"fileID {file_id!r} names no file (nothing after the bucket)")
        return path


__all__ = ["SCHEME", "Bucket", "FileIdError"]

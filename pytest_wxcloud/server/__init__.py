"""The loopback HTTP server (``cloud.serve()``) and its command line (``python -m pytest_wxcloud``)."""

from .faces import FACE_FACTORIES, Face
from .loopback import MAX_BODY_BYTES, LoopbackServer

__all__ = ["FACE_FACTORIES", "MAX_BODY_BYTES", "Face", "LoopbackServer"]

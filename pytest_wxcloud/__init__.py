"""pytest-wxcloud: test WeChat Mini Program cloud development code offline.

Public names only; see DESIGN.md for what each stands for.
"""

from .cloud import WxCloud
from .errors import CloudSDKError
from .identity import Identity

__all__ = ["CloudSDKError", "Identity", "WxCloud"]

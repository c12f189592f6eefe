"""The WeChat HTTP API (``api.weixin.qq.com``) over httpx, and its ``query`` string language."""

"""getMiniProgramCode: the quickstart's "mini-program code" function, in Python.

The template's JavaScript::

    const resp = await cloud.openapi.wxacode.get({ path: 'pages/index/index' })
    const upload = await cloud.uploadFile({ cloudPath: 'code.png', fileContent: resp.buffer })
    return upload.fileID
"""

from __future__ import annotations

from typing import Any

from pytest_wxcloud.functions import current_cloud


def main(event: dict[str, Any], context: Any) -> str:
    cloud = current_cloud()
    code = cloud.openapi.wxacode.get(path="pages/index/index")
    upload = cloud.upload_file(cloud_path="code.png", file_content=code["buffer"])
    return str(upload["fileID"])

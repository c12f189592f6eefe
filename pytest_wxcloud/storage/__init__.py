"""Cloud storage (云存储): one bucket per cloud, served to every face.

* :mod:`.service` — the backend: cloud paths and bytes in, per-file code strings out; seeding
  and inspection for tests (``cloud.storage``);
* :mod:`.model` — stored files and the store (snapshots are shallow copies);
* :mod:`.file_ids` — ``cloud://<env>.<bucket>/<path>`` and the bucket name;
* :mod:`.paths` — which cloud paths are accepted;
* :mod:`.links` — opaque upload / download tokens and the URLs that carry them;
* :mod:`.files_face` — the bucket's HTTP face (upload PUT/POST, temp URL GET);
* :mod:`.sdk` — the server SDK's four calls with their checks, shapes and texts.

The HTTP API's endpoints live in :mod:`pytest_wxcloud.http.storage_endpoints`, the CloudBase
actions in :mod:`pytest_wxcloud.cloudbase.storage_actions`.
"""

from .files_face import FilesFace, is_file_host
from .model import StoredFile
from .service import MAX_FILES_PER_CALL, StorageError, StorageService

__all__ = [
    "MAX_FILES_PER_CALL",
    "FilesFace",
    "StorageError",
    "StorageService",
    "StoredFile",
    "is_file_host",
]

"""``python -m pytest_wxcloud serve ...``: see :mod:`pytest_wxcloud.server.cli`."""

from .server.cli import main

raise SystemExit(main())

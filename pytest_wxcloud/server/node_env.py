"""The environment that points an unmodified wx-server-sdk function at a loopback server.

Everything here is read by the SDK at call time (node-runtime.md §3.2), so one worker can serve
many identities. The choices, each from node-runtime.md:

* ``TCB_ENV`` and ``SCF_NAMESPACE`` both set and ``TCB_ENV`` listed in ``TCB_CONTEXT_KEYS``:
  otherwise ``getWXContext().ENV`` and the env on the wire disagree (§3.1 cases C, D);
  ``TCB_SOURCE`` is listed too, or it never reaches the ``X-TCB-Source`` header (case F).
* ``TCB_CONTEXT_CNFG`` carries the ``/admin`` URL: the SDK posts every call to its path (§2.1).
* ``TENCENTCLOUD_SECRETID/KEY/SESSIONTOKEN``: placeholders; without them 4.0.2 crashes the
  process (case J). The signature is never checked.
* ``TENCENTCLOUD_RUNENV=SCF`` with ``TENCENTCLOUD_REGION``: stops node-sdk's two probes of
  ``metadata.tencentyun.com`` before every call (§5.3), which leak DNS lookups out of the tests
  and can cost 30 ms each; without the region SCF mode prints errors on every call (case H).
"""

from __future__ import annotations

import json

from ..identity import Identity

#: Placeholder cloud credentials: present, so the SDK sends requests; never checked.
SECRET_ID = "AKIDwxcloudemulator"
SECRET_KEY = "wxcloud-emulator-secret-key"
SESSION_TOKEN = "wxcloud-emulator-session-token"
REGION = "ap-shanghai"


def node_env(admin_url: str, env: str, identity: Identity | None = None) -> dict[str, str]:
    """Env vars for a Node.js process running a cloud function as ``identity`` (None: no user,
    as for a function invoked over the HTTP API)."""
    out: dict[str, str] = {}
    if identity is not None:
        out.update(identity.replace(env=identity.env or env).environ())
    env_name = out.get("TCB_ENV", env)
    out["TCB_ENV"] = out["SCF_NAMESPACE"] = env_name
    out["TCB_CONTEXT_KEYS"] = "TCB_ENV,TCB_SOURCE" if "TCB_SOURCE" in out else "TCB_ENV"
    out["TCB_CONTEXT_CNFG"] = json.dumps({"URL": admin_url}, separators=(",", ":"))
    out["TENCENTCLOUD_SECRETID"] = SECRET_ID
    out["TENCENTCLOUD_SECRETKEY"] = SECRET_KEY
    out["TENCENTCLOUD_SESSIONTOKEN"] = SESSION_TOKEN
    out["TENCENTCLOUD_RUNENV"] = "SCF"
    out["TENCENTCLOUD_REGION"] = REGION
    return out


__all__ = ["REGION", "SECRET_ID", "SECRET_KEY", "SESSION_TOKEN", "node_env"]

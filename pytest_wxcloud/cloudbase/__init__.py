"""The CloudBase ``/admin`` protocol: what wx-server-sdk (through @cloudbase/node-sdk) speaks.

Every SDK call is ``POST <TCB_CONTEXT_CNFG URL>?env=…&seqId=…`` with the operation in the body
field ``action`` (node-runtime.md §2, sdk.md §4). Modules:

* :mod:`.face` — request in, reply out: body parsing, env and token checks, the action table
  assembled from each part's own table, failures rendered as ``{code, message, requestId}``;
* :mod:`.wire` — canonical EJSON in and out, ``$tcb_server_date`` on the cloud clock, body fields;
* :mod:`.database_actions` — ``database.*`` on the database service;
* :mod:`.function_actions` — ``functions.invokeFunction`` on the functions pipeline;
* :mod:`.tokens` — ``wxCloudApiToken`` values naming the invocation (and so the identity) a
  request comes from.
"""

from .face import AdminFace, CloudBaseState
from .tokens import Grant, InvocationTokens

__all__ = ["AdminFace", "CloudBaseState", "Grant", "InvocationTokens"]

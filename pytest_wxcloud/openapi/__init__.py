"""云调用 (openapi): WeChat server APIs called from cloud functions, back ends and tests.

* :mod:`.service` — the backend every face calls: permission check, routes, built-in APIs, the
  outbox (:mod:`.calls`); :mod:`.outcome` — replies and the two kinds of refusal;
* :mod:`.apis` — one module per API family (subscribe messages, content security, mini-program
  codes, customer service, URL schemes, phone numbers, CloudIDs, cloudPay);
* :mod:`.sdk` — ``cloud.openapi`` in Python; :mod:`.naming` / :mod:`.names` — case conversion;
* :mod:`.protobuf` — the ``wx.openApi`` wire of wx-server-sdk.

The HTTP API's paths are in :mod:`pytest_wxcloud.http.openapi_endpoints`, the CloudBase action
in :mod:`pytest_wxcloud.cloudbase.openapi_actions`.
"""

from .calls import OpenApiCall
from .outcome import Media
from .sdk import OpenApi
from .service import OpenApiService

__all__ = ["Media", "OpenApi", "OpenApiCall", "OpenApiService"]

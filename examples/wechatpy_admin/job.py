"""A nightly restock job on wechatpy: the unmodified ``WeChatClient(appid, secret).cloud`` API.

wechatpy fetches and caches the access token, retries once with a fresh one when the platform
says it expired, and raises ``WeChatClientException`` on any non-zero ``errcode``; the job only
writes database query strings and reads the answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wechatpy import WeChatClient


@dataclass(frozen=True)
class Restocked:
    product_id: str
    ordered: int


def restock(client: WeChatClient, env: str, threshold: int, batch: int) -> list[Restocked]:
    """Order ``batch`` more of every product below ``threshold`` and ask the supplier function."""
    cloud: Any = client.cloud
    low = cloud.db_query(
        env,
        f"db.collection('products').where({{stock: _.lt({threshold}), active: true}})"
        ".orderBy('_id', 'asc').limit(100).get()",
    )
    done: list[Restocked] = []
    for record in low["data"]:
        product = json.loads(record)
        reply = cloud.invoke_cloud_function(
            env, "orderFromSupplier", {"sku": product["sku"], "quantity": batch}
        )
        cloud.db_update(
            env,
            f"db.collection('products').doc({json.dumps(product['_id'])})"
            f".update({{data: {{onOrder: _.inc({batch}), lastOrder: {json.dumps(reply['ticket'])}}}}})",
        )
        done.append(Restocked(product["_id"], batch))
    return done

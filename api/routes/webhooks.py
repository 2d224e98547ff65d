"""The caller's webhook secret, to verify the signed calls topicmap makes when a job finishes."""

from __future__ import annotations

from fastapi import APIRouter

from api.access import OwnerDep
from api.deps import SettingsDep
from api.errors import ApiError
from api.schemas import WebhookSecret
from topicmap.callbacks import key_secret

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.get(
    "/secret",
    summary="My webhook secret",
    responses={404: {"description": "Webhooks are not enabled on this server"}},
)
async def webhook_secret(settings: SettingsDep, owner: OwnerDep) -> WebhookSecret:
    """The HMAC-SHA256 key that signs this API key's webhooks (the same for all its jobs).

    Verify a call: `hex(HMAC_SHA256(secret, X-Topicmap-Timestamp + "." + raw body))` equals the part
    after `v1=` in `X-Topicmap-Signature`, and the timestamp is recent (say, 5 minutes).
    """
    if not settings.webhook_secret:
        raise ApiError(404, "webhooks are not enabled on this server (TOPICMAP_WEBHOOK_SECRET is not set)")
    return WebhookSecret(secret=key_secret(settings.webhook_secret, owner))

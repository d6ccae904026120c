"""POSTing audit checkpoints to a receiver off the host (LIFELINE_AUDIT_ANCHOR_WEBHOOK): the
body is the very line appended to the anchor file, whose own MAC the receiver can check."""

from __future__ import annotations


class CheckpointDeliveryError(Exception):
    """The receiver did not take the checkpoint (network error or non-2xx)."""


class HttpxCheckpointWebhook:
    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def post(self, url: str, line: str) -> None:
        # httpx is heavy to import; only a worker writing a checkpoint needs it
        import httpx  # noqa: PLC0415

        try:
            response = httpx.post(
                url,
                content=line.encode(),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise CheckpointDeliveryError(f"POST {url} failed: {exc!r}") from exc
        if response.status_code >= 300:
            raise CheckpointDeliveryError(f"POST {url} answered {response.status_code}")

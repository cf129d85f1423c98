"""The server side of TikTok Shop request signing and webhook signing, written from the published algorithm.

The emulator does not import the client's signer: a real server shares no code with its clients, and two
independent readings of the algorithm meeting in the tests is what makes the tests worth having.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

# Query parameters that never enter the signature (§1.2 step 1).
UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def expected_sign(
    secret: str,
    path: str,
    query: Mapping[str, Sequence[str]],
    body: bytes,
    content_type: str | None,
) -> str:
    """The `sign` a correct client sends for this request, as lowercase hex.

    `query` holds the decoded values; for a repeated key the first value is signed, as the official Go
    sample does (`queries.Get(key)`). A multipart body is not part of the signature.
    """
    pairs = "".join(
        key + (values[0] if values else "") for key, values in sorted(query.items()) if key not in UNSIGNED_PARAMS
    )
    signed_body = b"" if is_multipart(content_type) else body
    message = secret.encode() + path.encode() + pairs.encode() + signed_body + secret.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def is_multipart(content_type: str | None) -> bool:
    """True for `multipart/form-data` in any case, with or without a boundary parameter."""
    return (content_type or "").strip().lower().startswith("multipart/form-data")


def sign_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a received `sign` with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The `Authorization` header of a webhook delivery: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()

"""What the pages behind a message's link share (the acknowledgement and the field steps): the
token's size bound, the same-site check on a POST, and the response headers.

Cross-site requests: the credential is the signed token in the URL, not a cookie, so a forged
cross-site form gains an attacker nothing they could not do by posting the token themselves:
classic CSRF (riding on ambient credentials) does not apply and a form nonce would add nothing.
As defence in depth a POST is still refused when the browser says it came from another site
(`Sec-Fetch-Site: cross-site`, or an `Origin` whose host is neither this request's host nor
that of LIFELINE_PUBLIC_URL). An `Origin: null` (privacy modes, some in-app browsers) is let
through: refusing it would lock out a real officer, and the token is still required. The pages
send `Referrer-Policy: same-origin` rather than the console's `no-referrer`, because browsers
send `Origin: null` on a POST from a no-referrer page, which would blind the check.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from lifeline.web.console.common import SECURITY_HEADERS
from lifeline.web.deps import App

#: signed tokens are well under this; anything longer is not one of ours
MAX_TOKEN = 400


def from_this_site(request: Request, app: App) -> bool:
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    hosts = {request.headers.get("host", ""), urlsplit(app.settings.public_url).netloc}
    return urlsplit(origin).netloc in hosts - {""}


def link_headers(response: HTMLResponse) -> HTMLResponse:
    response.headers.update(SECURITY_HEADERS)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response

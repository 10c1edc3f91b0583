"""Who may write through the API: with `token` (HBNB_API_WRITE_ACCESS, the default), only the
requests that carry the stack's token as `Authorization: Bearer <token>`; with `open`, anyone,
as in the classic exercise. Reads stay public, but for the users, whose records hold emails.
"""
import hmac

from flask import current_app, request

from hbnb.errors import ApiError

READS = {"GET", "HEAD", "OPTIONS"}
# A search is a POST that reads: the page makes it for every visitor.
READ_ENDPOINTS = {"api_v1.places_search"}
# Reads of these hold personal data (emails): the token's, too.
PRIVATE_ENDPOINTS = {"api_v1.list_users", "api_v1.get_user"}


class Unauthorized(ApiError):
    """401 with the scheme a client must use, as RFC 6750 asks."""

    def __init__(self, message):
        super().__init__(401, message)

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("WWW-Authenticate", 'Bearer realm="hbnb"')]


def needs_token():
    """Whether this request needs the token: a write, or a read of personal data."""
    if request.method in READS:
        return request.endpoint in PRIVATE_ENDPOINTS
    return request.endpoint not in READ_ENDPOINTS


def check_access():
    """Refuses a request that needs the token and does not carry it (before any view runs)."""
    if current_app.config["API_WRITE_ACCESS"] == "open" or not needs_token():
        return
    token = current_app.config["API_TOKEN"]
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if not token:
        raise Unauthorized("This API is read-only: no token is configured")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        raise Unauthorized("Unauthorized: send the API token as Authorization: Bearer <token>")

"""Gzip for the answers Nginx caches (the page, places_search), made once by the app.

Nginx would gzip an answer on every request it sends, a cached one included (several times the
CPU of sending it). Compressed here, the cached answer is the compressed one: Nginx keys its
cache by whether the client takes gzip (files/nginx/data-cache.conf.njk) and sends the stored
bytes as they are (its own gzip leaves an answer with a Content-Encoding alone).
"""
import gzip

from flask import request

# The endpoints whose answers Nginx caches by release and data.
CACHED_ENDPOINTS = {"pages.hbnb", "api_v1.places_search"}
# Below this, gzip's header and a round trip cost more than the bytes saved.
MIN_BYTES = 1024
# Compressed once per data change and served many times: the level that gives the fewest bytes.
LEVEL = 9


def init_app(app):
    @app.after_request
    def compress(response):
        if (
            request.endpoint in CACHED_ENDPOINTS
            and response.status_code == 200
            and not response.direct_passthrough
            and "Content-Encoding" not in response.headers
            and "gzip" in request.headers.get("Accept-Encoding", "").lower()
        ):
            data = response.get_data()
            if len(data) >= MIN_BYTES:
                response.set_data(gzip.compress(data, compresslevel=LEVEL, mtime=0))
                response.headers["Content-Encoding"] = "gzip"
        if request.endpoint in CACHED_ENDPOINTS:
            # Whether the answer is gzip depends on this header: caches on the way keep both apart.
            response.vary.add("Accept-Encoding")
        return response

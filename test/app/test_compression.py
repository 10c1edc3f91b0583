"""The page and places_search in gzip, made once by the app for Nginx's cache to keep."""
import gzip

import pytest


@pytest.mark.parametrize("method, path, body", [("GET", "/", None), ("POST", "/api/v1/places_search", {})])
def test_the_cached_answers_are_gzip_for_a_client_that_takes_it(seeded_client, method, path, body):
    plain = seeded_client.open(path, method=method, json=body)
    packed = seeded_client.open(path, method=method, json=body, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert [plain.status_code, packed.status_code] == [200, 200]
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"


def test_other_answers_are_left_to_nginx(seeded_client):
    response = seeded_client.get("/api/v1/states", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_errors_are_not_compressed(seeded_client):
    response = seeded_client.post(
        "/api/v1/places_search", data="x" * 2000, content_type="text/plain", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 400
    assert "Content-Encoding" not in response.headers

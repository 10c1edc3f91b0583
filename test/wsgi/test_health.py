"""`/-/` is the stack's: the health check with the release id, 404 for the rest of it."""
import json

from conftest import RELEASE_ID

APP = """
from flask import Flask
app = Flask(__name__)

@app.route("/-/health")
@app.route("/-/mine")
def own():
    return "the app's own"
"""


def test_health_answers_the_release_id_from_the_release_file(release):
    release.write("shop.py", APP)
    response = release.client("shop:app").get("/-/health")
    assert response.status_code == 200
    assert json.loads(response.get_data()) == {"status": "ok", "release": RELEASE_ID}
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_switch_step_reads_the_release_from_the_body(release):
    # switch.sh reads the id with sed 's/.*"release": *"([^"]*)".*/\1/', not a JSON parser.
    release.write("shop.py", APP)
    body = release.client("shop:app").get("/-/health").get_data(as_text=True)
    assert body == '{"status": "ok", "release": "r-5e1f0a2b3c4d"}'


def test_head_gives_the_headers_of_get_and_no_body(release):
    release.write("shop.py", APP)
    client = release.client("shop:app")
    get, head = client.get("/-/health"), client.head("/-/health")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == str(len(get.get_data()))


def test_health_answers_under_routes_too(release):
    release.write("shop.py", APP)
    client = release.client("shop:app", [{"path": "/", "to": "/shop/"}])
    assert json.loads(client.get("/-/health").get_data())["release"] == RELEASE_ID


def test_other_methods_get_405_with_allow(release):
    release.write("shop.py", APP)
    response = release.client("shop:app").post("/-/health")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert json.loads(response.get_data()) == {"error": "Method not allowed"}


def test_other_stack_paths_are_404_and_never_reach_the_app(release):
    release.write("shop.py", APP)
    response = release.client("shop:app").get("/-/mine")
    assert response.status_code == 404
    assert json.loads(response.get_data()) == {"error": "Not found"}


def test_without_a_release_file_the_release_is_dev(release):
    (release.root / "RELEASE").unlink()
    release.write("shop.py", APP)
    assert json.loads(release.client("shop:app").get("/-/health").get_data())["release"] == "dev"


def test_the_release_is_the_one_the_wrapper_was_imported_from(release, tmp_path):
    # Gunicorn imports through the `current` symlink, which the next deploy moves on.
    release.write("shop.py", APP)
    other = tmp_path / "other-release"
    other.mkdir()
    (other / "RELEASE").write_text("r-other\n")
    current = tmp_path / "current"
    current.symlink_to(release.root)
    release.monkeypatch.syspath_prepend(str(current))
    import hbnb_stack_wsgi

    assert hbnb_stack_wsgi.__file__ == str(current / "hbnb_stack_wsgi.py")
    current.unlink()
    current.symlink_to(other)
    assert json.loads(release.client("shop:app").get("/-/health").get_data())["release"] == RELEASE_ID

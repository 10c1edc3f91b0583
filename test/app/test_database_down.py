"""A MySQL or MariaDB server that is down or does not answer (the database host rebooting,
setting databaseHost): the API answers a JSON 503 at once and never hangs a worker. A loopback
port stands in for the server: closed (a server that is off) or accepting connections and saying
nothing (a server that hangs)."""
import json
import socket
import threading
import time

import pytest

from conftest import operator_app

# A generous bound for "at once": what the test asserts is that no request waits for the
# kernel's TCP give-up (minutes) or Gunicorn's timeout (30 s); the figure is printed.
NOT_A_HANG = 5.0


def mysql_url(port):
    return f"mysql+mysqldb://hbnb:secret@127.0.0.1:{port}/hbnb?charset=utf8mb4"


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never sends MariaDB's greeting."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except socket.timeout:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def timed_get(client, path):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


@pytest.mark.parametrize("server", ["off", "silent"])
def test_api_answers_json_503_at_once_when_the_database_is_unreachable(server, silent_server, tmp_path):
    port = closed_port() if server == "off" else silent_server
    (tmp_path / "RELEASE").write_text("test-release\n")
    app = operator_app({"DATABASE_URL": mysql_url(port), "RELEASE_FILE": str(tmp_path / "RELEASE")})
    client = app.test_client()
    for path in ["/api/v1/states", "/api/v1/stats", "/-/health"]:
        response, seconds = timed_get(client, path)
        print(f"{server}: {path} answered {response.status_code} in {seconds:.2f} s")
        assert (path, response.status_code, response.content_type) == (path, 503, "application/json")
        assert json.loads(response.data)["error"] == "Database unavailable"
        assert seconds < NOT_A_HANG

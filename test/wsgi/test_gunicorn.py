"""The wrapper under the real Gunicorn of the distribution, called as the service unit calls
it: `hbnb_stack_wsgi:serve("module:callable")`, Gunicorn's app factory with a literal argument.

The test makes the listening socket itself and hands it over (`--bind fd://N`): no free-port
race, and a request sent before Gunicorn is up waits in the socket's backlog, so no polling."""
import json
import os
import socket
import subprocess

import pytest

from conftest import RELEASE_ID

GUNICORN = "/usr/bin/gunicorn"
# Generous bounds for a loaded machine; the assertions are about the answers, never the time.
ANSWER_TIMEOUT = 120

HELLO = """
from flask import Flask
app = Flask(__name__)

@app.route("/airbnb-onepage/")
def hello():
    return "Hello HBNB!"
"""


class Server:
    def __init__(self, process, listener, log):
        self.process, self.listener, self.log = process, listener, log

    def request(self, raw):
        """The raw HTTP/1.0 answer to `raw` (HTTP/1.0: Gunicorn closes after answering)."""
        with socket.socket(self.listener.family, socket.SOCK_STREAM) as client:
            client.settimeout(ANSWER_TIMEOUT)
            client.connect(self.listener.getsockname())
            client.sendall(raw.encode())
            chunks = []
            while chunk := client.recv(65536):
                chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        status, *lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines)
        return int(status.split()[1]), headers, body.decode()


@pytest.fixture
def gunicorn(release, tmp_path):
    servers = []

    def start(spec, routes=None, family=socket.AF_INET, quote='"'):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0) if family == socket.AF_INET else str(tmp_path / "gunicorn.sock"))
        listener.listen(16)
        environment = {key: value for key, value in os.environ.items() if key != "HBNB_STACK_ROUTES"}
        if routes is not None:
            environment["HBNB_STACK_ROUTES"] = json.dumps(routes)
        log = tmp_path / "gunicorn.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                [GUNICORN, "--chdir", str(release.root), "--bind", f"fd://{listener.fileno()}", "--workers", "1",
                 f"hbnb_stack_wsgi:serve({quote}{spec}{quote})"],
                pass_fds=[listener.fileno()], env=environment, stdout=out, stderr=subprocess.STDOUT,
            )
        server = Server(process, listener, log)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.process.terminate()
        server.process.wait(ANSWER_TIMEOUT)
        server.listener.close()


@pytest.mark.parametrize("quote", ['"', "'"])
def test_the_classic_hello_app_behind_real_gunicorn(release, gunicorn, quote):
    release.write("web_flask/0-hello_route.py", HELLO)
    server = gunicorn("web_flask.0-hello_route:app", [{"path": "/airbnb-onepage/", "to": "/"}], quote=quote)
    status, _, body = server.request("GET /airbnb-onepage/ HTTP/1.0\r\nHost: hbnb.example\r\n\r\n")
    assert (status, body) == (200, "Hello HBNB!")
    status, headers, body = server.request("GET /-/health HTTP/1.0\r\nHost: hbnb.example\r\n\r\n")
    assert (status, json.loads(body)) == (200, {"status": "ok", "release": RELEASE_ID})
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host", ["Host: hbnb.example\r\n", ""])
def test_the_strict_redirect_names_the_public_path_on_a_unix_socket(release, gunicorn, host):
    # Without a Host header Werkzeug would build the Location from the socket's path.
    release.write("web_flask/0-hello_route.py", HELLO)
    server = gunicorn("web_flask.0-hello_route:app", [{"path": "/airbnb-onepage/"}], socket.AF_UNIX)
    status, headers, _ = server.request(f"GET /airbnb-onepage HTTP/1.0\r\n{host}\r\n")
    assert (status, headers["Location"]) == (308, "/airbnb-onepage/")


def test_an_app_that_fails_to_import_stops_gunicorn_with_its_error(release, gunicorn):
    # What the canary relies on: the worker never boots, the master exits, the log says why.
    release.write("web_flask/0-hello_route.py", "raise RuntimeError('no SECRET_KEY in the environment')\n")
    server = gunicorn("web_flask.0-hello_route:app")
    # Gunicorn's arbiter: a worker that fails to boot halts the master with exit code 3.
    assert server.process.wait(ANSWER_TIMEOUT) == 3
    log = server.log.read_text()
    assert "RuntimeError: no SECRET_KEY in the environment" in log
    assert "Worker failed to boot." in log

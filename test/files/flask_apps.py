"""Answers requests with Flask apps' test clients: one JSON request a line on stdin, one JSON
answer a line on stdout. Started by test/files/classic-apps.test.ts, which checks the fixture
repositories' apps at the app level (no Gunicorn, no Nginx) with Debian's python3 and Flask.

Usage: flask_apps.py REPO [--sqlite FILE] NAME=MODULE...
  REPO     the repository; its apps are imported from it, storage files land in the working
           directory
  --sqlite for a classic repository with HBNB_TYPE_STORAGE=db: MySQLdb is not installed here, so
           sqlalchemy.create_engine is given SQLite's FILE instead of the MySQL URL, which is
           reported in the ready line to be checked
  in:  {"app": NAME, "method": ..., "path": ..., "headers": {...}, "body": "..."}
  out: {"status": 200, "headers": {...}, "body": "<base64>"}
First line out: {"ready": [NAME...], "engines": [[url, kwargs]...]}.
"""
import base64
import importlib
import json
import sys

args = sys.argv[1:]
sys.path.insert(0, args.pop(0))

engines = []
if args[0] == "--sqlite":
    import sqlalchemy

    sqlite_url = "sqlite:///" + args[1]
    args = args[2:]
    real_create_engine = sqlalchemy.create_engine

    def create_engine(url, **kwargs):
        engines.append([url, kwargs])
        return real_create_engine(sqlite_url)

    sqlalchemy.create_engine = create_engine

clients = {}
for arg in args:
    name, module = arg.split("=", 1)
    clients[name] = importlib.import_module(module).app.test_client()
print(json.dumps({"ready": sorted(clients), "engines": engines}), flush=True)

for line in sys.stdin:
    request = json.loads(line)
    response = clients[request["app"]].open(
        request["path"],
        method=request["method"],
        headers=request.get("headers") or {},
        data=(request.get("body") or "").encode(),
    )
    print(json.dumps({
        "status": response.status_code,
        "headers": {key.lower(): value for key, value in response.headers.items()},
        "body": base64.b64encode(response.get_data()).decode(),
    }), flush=True)

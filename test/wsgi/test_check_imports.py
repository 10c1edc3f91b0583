"""check_imports.py: run by the server's python3 on a release before the switch.

The releases are written here. `python3 -S` is a server without the distribution's Python
packages (site.py adds /usr/lib/python3/dist-packages): only the standard library is there."""
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import WSGI_DIR

PYTHON = "/usr/bin/python3"


def write(root, files):
    for relative_path, text in files.items():
        path = root / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def check(release, *modules, bare=False, script=WSGI_DIR / "check_imports.py"):
    result = subprocess.run(
        [PYTHON, *(["-S"] if bare else []), str(script), str(release), *modules],
        capture_output=True, text=True, timeout=120,
    )
    return result.returncode, result.stdout.splitlines(), result.stderr


# The classic layout, cut down to its imports.
CLASSIC = {
    "web_flask/__init__.py": "",
    "web_flask/0-hello_route.py": "from flask import Flask\napp = Flask(__name__)\n",
    "models/__init__.py": """\
        from os import getenv
        from models.engine.file_storage import FileStorage
        storage = FileStorage()
        """,
    "models/engine/__init__.py": "",
    "models/engine/file_storage.py": "import json\nclass FileStorage:\n    pass\n",
    "models/engine/db_storage.py": """\
        import models
        from sqlalchemy import create_engine

        def connect():
            import MySQLdb
            return MySQLdb
        """,
    "api/__init__.py": "",
    "api/v1/__init__.py": "",
    "api/v1/app.py": """\
        from flask import Flask
        from flask_cors import CORS
        from models import storage
        from api.v1.views import app_views
        try:
            from flasgger import Swagger
        except ImportError:
            Swagger = None
        try:
            import simplejson as json
        except ImportError:
            import json
        """,
    "api/v1/views/__init__.py": """\
        from flask import Blueprint
        app_views = Blueprint("app_views", __name__, url_prefix="/api/v1")
        from api.v1.views.index import *
        from . import states
        """,
    "api/v1/views/index.py": "from api.v1.views import app_views\n",
    "api/v1/views/states.py": "from .index import app_views\nfrom ..views import index\nimport markdown_it_nowhere\n",
    # What a repository carries besides the apps: a fabfile, tests, a stray Python 2 script.
    "3-deploy_web_static.py": "from fabric.api import env, local, put, run\n",
    "tests/test_models/test_base_model.py": "import unittest\nimport pep8\n",
    "tools/old.py": 'print "Python 2"\n',
}


def test_a_server_without_packages_gets_each_missing_one_named(tmp_path):
    release = write(tmp_path / "release", CLASSIC)
    code, lines, _ = check(release, bare=True)
    assert code == 1
    assert lines == [
        "skipped tools/old.py: not Python 3 (line 1: Missing parentheses in call to 'print'. "
        "Did you mean print(...)?)",
        # Fabric 1's fabric.api: no distribution package has it (python3-fabric is Fabric 2).
        "missing module fabric (imported by 3-deploy_web_static.py:1); no distribution package known; "
        "add the one that provides it to pythonPackages",
        "missing module flask (imported by api/v1/app.py:1); install the distribution package python3-flask "
        "(add it to pythonPackages)",
        "missing module flask_cors (imported by api/v1/app.py:2); install the distribution package "
        "python3-flask-cors (add it to pythonPackages)",
        "missing module markdown_it_nowhere (imported by api/v1/views/states.py:3); no distribution package "
        "known; add the one that provides it to pythonPackages",
        "missing module MySQLdb (imported by models/engine/db_storage.py:5); install the distribution package "
        "python3-mysqldb (add it to pythonPackages)",
        "missing module pep8 (imported by tests/test_models/test_base_model.py:2); install the distribution "
        "package python3-pep8 (add it to pythonPackages)",
        "missing module sqlalchemy (imported by models/engine/db_storage.py:2); install the distribution "
        "package python3-sqlalchemy (add it to pythonPackages)",
    ]
    # Not named: the release's own modules (models, api, relative imports), the standard
    # library (json, os, unittest), and flasgger and simplejson, optional behind ImportError.


def test_the_services_modules_limit_the_check_to_what_they_import(tmp_path):
    release = write(tmp_path / "release", CLASSIC)
    code, lines, _ = check(release, "web_flask.0-hello_route", "api.v1.app", bare=True)
    assert code == 1
    assert [line.split(" (")[0] for line in lines] == [
        "missing module flask",
        "missing module flask_cors",
        "missing module markdown_it_nowhere",
    ]


def test_a_module_reached_only_in_a_function_of_a_reached_file_counts(tmp_path):
    release = write(tmp_path / "release", CLASSIC)
    release.joinpath("api/v1/views/states.py").write_text("import models.engine.db_storage\n")
    code, lines, _ = check(release, "api.v1.app", bare=True)
    assert [line.split(" (")[0] for line in lines] == [
        "missing module flask",
        "missing module flask_cors",
        "missing module MySQLdb",
        "missing module sqlalchemy",
    ]


def test_all_found_on_the_server_python(tmp_path):
    # flask, flask_cors and sqlalchemy: installed by local/deps.sh test.
    release = write(tmp_path / "release", CLASSIC)
    release.joinpath("api/v1/views/states.py").write_text("from .index import app_views\n")
    code, lines, _ = check(release, "web_flask.0-hello_route", "api.v1.app")
    assert (code, lines) == (0, ["imports ok: 2 modules"])


def test_an_optional_import_whose_module_is_there_counts_nothing(tmp_path):
    release = write(tmp_path / "release", {"app.py": "try:\n    import flask\nexcept ImportError:\n    pass\n"})
    assert check(release)[:2] == (0, ["imports ok: 0 modules"])


def test_a_broad_handler_also_makes_an_import_optional(tmp_path):
    release = write(
        tmp_path / "release",
        {
            "a.py": "try:\n    import not_here_a\nexcept (ValueError, ModuleNotFoundError):\n    pass\n",
            "b.py": "try:\n    import not_here_b\nexcept:\n    pass\n",
            "c.py": "try:\n    import not_here_c\nexcept ValueError:\n    pass\n",
        },
    )
    code, lines, _ = check(release)
    assert (code, [line.split(" (")[0] for line in lines]) == (1, ["missing module not_here_c"])


def test_imports_reached_only_through_an_optional_import_are_optional(tmp_path):
    release = write(
        tmp_path / "release",
        {
            "app.py": "try:\n    import extras\nexcept ImportError:\n    extras = None\n",
            "extras.py": "import not_here\n",
        },
    )
    assert check(release, "app")[:2] == (0, ["imports ok: 0 modules"])
    # Reached by a required import as well: required.
    release.joinpath("app.py").write_text("import extras\n")
    code, lines, _ = check(release, "app")
    assert (code, [line.split(" (")[0] for line in lines]) == (1, ["missing module not_here"])


def test_a_sibling_module_of_a_script_is_the_release_s_own(tmp_path):
    release = write(tmp_path / "release", {"scripts/run.py": "import helper\n", "scripts/helper.py": "x = 1\n"})
    assert check(release)[:2] == (0, ["imports ok: 0 modules"])


def test_modules_beside_the_script_are_not_the_server_s(tmp_path):
    # The script may be run from anywhere: its own directory is not on the service's sys.path.
    tools = tmp_path / "tools"
    tools.mkdir()
    shutil.copy(WSGI_DIR / "check_imports.py", tools)
    (tools / "beside_the_script.py").write_text("")
    release = write(tmp_path / "release", {"app.py": "import beside_the_script\n"})
    code, lines, _ = check(release, script=tools / "check_imports.py")
    assert (code, [line.split(" (")[0] for line in lines]) == (1, ["missing module beside_the_script"])


def test_the_first_required_import_is_the_one_named(tmp_path):
    release = write(
        tmp_path / "release",
        {"b.py": "import zz_missing\n", "a.py": "x = 1\ntry:\n    import zz_missing\nexcept ImportError:\n    pass\n"},
    )
    assert check(release)[1] == [
        "missing module zz_missing (imported by b.py:1); no distribution package known; add the one that "
        "provides it to pythonPackages"
    ]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ([], "usage: python3 check_imports.py RELEASE_DIR [MODULE ...]\n"),
        (["/nonexistent/release"], "check_imports: release directory /nonexistent/release does not exist\n"),
    ],
)
def test_wrong_arguments(arguments, message):
    result = subprocess.run([PYTHON, str(WSGI_DIR / "check_imports.py"), *arguments], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)


def test_a_service_module_not_in_the_release(tmp_path):
    release = write(tmp_path / "release", CLASSIC)
    code, lines, error = check(release, "web_flask.1-hbnb_route")
    assert (code, lines) == (2, [])
    assert error == (
        f"check_imports: module web_flask.1-hbnb_route is not in {release} (no web_flask/1-hbnb_route.py "
        "or package); check the service's app setting\n"
    )


def test_the_wrapper_itself_passes_on_a_bare_server(tmp_path):
    # The release carries hbnb_stack_wsgi.py; its Werkzeug import is optional.
    release = tmp_path / "release"
    release.mkdir()
    shutil.copy(WSGI_DIR / "hbnb_stack_wsgi.py", release)
    assert check(release, "hbnb_stack_wsgi", bare=True)[:2] == (0, ["imports ok: 0 modules"])

"""serve('module:callable'): classic module names, the original error of a failed import (so
Gunicorn refuses to boot the worker), and clear errors for a wrong setting."""
import pytest

HELLO = """
from flask import Flask
app = Flask(__name__)

@app.route("/")
def hello():
    return "Hello HBNB!"
"""


def test_a_module_name_with_a_dash_and_a_leading_digit(release):
    release.write("web_flask/0-hello_route.py", HELLO)
    response = release.client("web_flask.0-hello_route:app").get("/")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "Hello HBNB!")


def test_a_dotted_attribute(release):
    release.write("holder.py", HELLO + "\nclass Holder:\n    app = app\n")
    assert release.client("holder:Holder.app").get("/").get_data(as_text=True) == "Hello HBNB!"


def test_the_original_exception_of_a_failed_import(release):
    release.write("broken.py", "from flask import Flask\nimport not_installed_anywhere\napp = Flask(__name__)\n")
    with pytest.raises(ModuleNotFoundError) as raised:
        release.serve("broken:app")
    assert raised.value.name == "not_installed_anywhere"


def test_an_error_while_importing_propagates_unchanged(release):
    release.write("crash.py", "raise RuntimeError('the app refused to start: no SECRET_KEY')\n")
    with pytest.raises(RuntimeError, match=r"^the app refused to start: no SECRET_KEY$"):
        release.serve("crash:app")


def test_a_missing_module(release):
    with pytest.raises(ModuleNotFoundError) as raised:
        release.serve("web_flask.9-nothing:app")
    assert raised.value.name == "web_flask"


def test_a_missing_attribute_names_the_setting(release):
    release.write("hello.py", HELLO)
    with pytest.raises(AttributeError, match=r"^serve\('hello:application'\): hello has no attribute 'application'$"):
        release.serve("hello:application")


def test_something_not_callable(release):
    release.write("hello.py", HELLO + "\nname = 'hbnb'\n")
    with pytest.raises(TypeError, match=r"^serve\('hello:name'\): name is a str, not a WSGI callable$"):
        release.serve("hello:name")


@pytest.mark.parametrize("spec", ["hello", "hello:", ":app", "hello:create_app()", "web_flask..x:app", "a:b-c"])
def test_a_malformed_spec_says_what_is_expected(release, spec):
    with pytest.raises(ValueError) as raised:
        release.serve(spec)
    assert str(raised.value) == (
        f"serve({spec!r}): expected 'module:callable', a module of the release and an attribute "
        "name (dotted allowed, no call), e.g. 'web_flask.0-hello_route:app'"
    )


EXPECTED = (
    'expected a JSON list of {"path": "/public/", "to": "/app/", "exact": false} ("to" and "exact" optional)'
)


@pytest.mark.parametrize(
    "value, why",
    [
        ("[{", "not JSON (Expecting property name enclosed in double quotes: line 1 column 3 (char 2))"),
        ('{"path": "/"}', "not a list"),
        ('[{"to": "/"}]', "{'to': '/'} has no string 'path'"),
        ('["/api/"]', "'/api/' has no string 'path'"),
        ('[{"path": "api/"}]', "{'path': 'api/'}: 'path' and 'to' must start with '/'"),
        ('[{"path": "/a/", "to": 3}]', "{'path': '/a/', 'to': 3}: 'path' and 'to' must start with '/'"),
        ('[{"path": "/a/", "exact": "yes"}]', "{'path': '/a/', 'exact': 'yes'}: 'exact' must be true or false"),
        (
            '[{"path": "/a/", "to": "/b"}]',
            "{'path': '/a/', 'to': '/b'}: 'path' and 'to' must both end with '/' or neither",
        ),
    ],
)
def test_bad_routes_name_the_variable_the_value_and_the_form(release, value, why):
    release.write("hello.py", HELLO)
    release.monkeypatch.setenv("HBNB_STACK_ROUTES", value)
    import hbnb_stack_wsgi

    with pytest.raises(ValueError) as raised:
        hbnb_stack_wsgi.serve("hello:app")
    assert str(raised.value) == f"HBNB_STACK_ROUTES={value!r}: {why}; {EXPECTED}"


def test_an_exact_route_may_change_its_trailing_slash(release):
    release.write("hello.py", HELLO.replace('"/"', '"/100-hbnb"'))
    client = release.client("hello:app", [{"path": "/", "to": "/100-hbnb", "exact": True}])
    assert client.get("/").get_data(as_text=True) == "Hello HBNB!"


@pytest.mark.parametrize("value", ["", "  ", "[]"])
def test_empty_routes_pass_every_path(release, value):
    release.write("hello.py", HELLO)
    release.monkeypatch.setenv("HBNB_STACK_ROUTES", value)
    import hbnb_stack_wsgi
    from werkzeug.test import Client

    client = Client(hbnb_stack_wsgi.serve("hello:app"))
    assert client.get("/").get_data(as_text=True) == "Hello HBNB!"
    assert client.get("/airbnb-onepage/").status_code == 404

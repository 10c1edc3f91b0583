"""The HTML routes: the HBnB page at / and the two demo routes."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "files" / "app" / "hbnb" / "static"
# Copied in by the deploy bundler, not committed.
BUNDLED = {"scripts/jquery.min.js"}


class Page(HTMLParser):
    """The parts of a page these tests look at."""

    def __init__(self, html):
        super().__init__()
        self.tags = []  # (tag, attributes)
        self.text = []
        self.open_scripts = []
        self.inline_scripts = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.open_scripts.append("")

    def handle_data(self, data):
        self.text.append(data)
        if self.open_scripts:
            self.open_scripts[-1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self.open_scripts:
            body = self.open_scripts.pop()
            if body.strip():
                self.inline_scripts.append(body)

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture
def page(seeded_client):
    response = seeded_client.get("/")
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    return response.get_data(as_text=True)


def test_page_lists_states_cities_and_amenities_as_filters(page, ids):
    parsed = Page(page)
    states = parsed.find("input", type="checkbox", **{"data-filter": "states"})
    cities = parsed.find("input", type="checkbox", **{"data-filter": "cities"})
    amenities = parsed.find("input", type="checkbox", **{"data-filter": "amenities"})
    assert len(states) == 10 and len(cities) == 22 and len(amenities) == 12
    assert [s["data-name"] for s in states][:3] == ["Arizona", "California", "Colorado"]
    assert {"data-filter": "cities", "data-id": ids("City", "Texas", "Austin"), "data-name": "Austin",
            "type": "checkbox"} in cities
    assert [a["data-name"] for a in amenities][:2] == ["Air conditioning", "Breakfast"]
    assert all(a["data-id"] == ids("Amenity", a["data-name"]) for a in amenities)


def test_page_has_the_original_structure(page):
    parsed = Page(page)
    assert parsed.find("div", id="api_status")
    assert parsed.find("section", **{"class": "filters"})
    assert parsed.find("section", **{"class": "places"})
    assert parsed.find("button", id="search")
    # One h4 per filter, where the script names what is ticked.
    assert len(parsed.find("h4")) == 2
    assert "Holberton School" in "".join(parsed.text)
    assert parsed.find("title")


def test_page_loads_jquery_and_the_script_from_static(page):
    sources = [attrs["src"] for attrs in Page(page).find("script")]
    assert sources[0] == "/static/scripts/jquery.min.js"
    assert re.fullmatch(r"/static/scripts/hbnb\.js\?v=dev", sources[1])
    assert len(sources) == 2


def test_page_has_no_absolute_url(page):
    assert "http://" not in page and "https://" not in page
    for tag, attrs in Page(page).tags:
        for name in ("src", "href", "action"):
            if name in attrs:
                assert attrs[name].startswith("/") and not attrs[name].startswith("//"), (tag, attrs)


def test_page_has_no_inline_script_or_style(page):
    parsed = Page(page)
    assert parsed.inline_scripts == []
    assert not parsed.find("style")
    assert all("style" not in attrs for _tag, attrs in parsed.tags)
    assert not any(name.startswith("on") for _tag, attrs in parsed.tags for name in attrs)


def test_every_asset_of_the_page_is_committed(page):
    parsed = Page(page)
    links = [attrs["href"] for attrs in parsed.find("link")]
    assert any(attrs.get("rel") == "icon" for attrs in parsed.find("link"))
    paths = [url.split("?")[0] for url in links + [a["src"] for a in parsed.find("script")]]
    stylesheets = []
    for path in paths:
        assert path.startswith("/static/")
        relative = path[len("/static/"):]
        if relative not in BUNDLED:
            assert (STATIC / relative).is_file(), path
        if relative.endswith(".css"):
            stylesheets.append(STATIC / relative)
    # Images the stylesheets point to exist too.
    for stylesheet in stylesheets:
        for url in re.findall(r"url\(\"?([^\")]+)\"?\)", stylesheet.read_text()):
            assert not re.match(r"[a-z]+:|//", url), url
            assert (stylesheet.parent / url).resolve().is_file(), url


def test_page_assets_are_served(seeded_client):
    for path in ("/static/styles/common.css", "/static/scripts/hbnb.js", "/static/images/icon.png"):
        assert seeded_client.get(path).status_code == 200, path


def test_static_files_hold_no_absolute_url():
    for path in STATIC.rglob("*"):
        if path.suffix in {".css", ".js", ".html", ".svg"} and path.name != "jquery.min.js":
            text = path.read_text()
            assert "http://" not in text and "https://" not in text, path


def test_script_uses_same_origin_api_urls():
    script = (STATIC / "scripts" / "hbnb.js").read_text()
    assert "'/api/v1/places_search'" in script
    assert "'/api/v1/status'" in script
    assert "0.0.0.0" not in script and "localhost" not in script
    # The button the page is driven by is documented at the top of the file.
    assert "#search" in script.split("*/")[0]


def test_names_are_escaped(api, client):
    api.create("/states", {"name": "<script>alert(1)</script>"})
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_page_renders_with_an_empty_database(client):
    response = client.get("/")
    assert response.status_code == 200
    assert not Page(response.get_data(as_text=True)).find("input")


def test_asset_urls_change_with_the_release(make_app, tmp_path, seeded_database):
    import shutil

    shutil.copyfile(seeded_database, tmp_path / "hbnb.db")
    (tmp_path / "RELEASE").write_text("r-0123456789ab\n")
    html = make_app().test_client().get("/").get_data(as_text=True)
    assert "/static/scripts/hbnb.js?v=r-0123456789ab" in html
    assert "/static/styles/common.css?v=r-0123456789ab" in html


@pytest.mark.parametrize("path", ["/airbnb-onepage/", "/airbnb-onepage"])
def test_hello_hbnb_with_or_without_slash(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Hello HBNB!"


@pytest.mark.parametrize(
    "n, parity", [(6, "even"), (7, "odd"), (0, "even"), (1, "odd"), (98, "even")]
)
def test_number_odd_or_even(client, n, parity):
    response = client.get(f"/number_odd_or_even/{n}")
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    assert f"<h1>Number: {n} is {parity}</h1>" in response.get_data(as_text=True)


def test_number_odd_or_even_with_slash_and_not_a_number(client):
    assert client.get("/number_odd_or_even/6/").status_code == 200
    assert client.get("/number_odd_or_even/six").status_code == 404
    assert client.get("/number_odd_or_even/-1").status_code == 404


def test_root_answers_without_redirect(seeded_client):
    response = seeded_client.get("/")
    assert response.status_code == 200
    assert "Location" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1//states", "/number_odd_or_even//6", "/api//v1/status"])
@pytest.mark.parametrize("host", ["evil.example:8080", None])
def test_doubled_slashes_are_not_found_never_redirected(seeded_client, path, host):
    # Werkzeug would merge the slashes by a redirect to the client's Host, or with no Host, to
    # the socket's name: http:///run/hbnb/gunicorn.sock/...
    environ = {"HTTP_HOST": host} if host else {"SERVER_NAME": "/run/hbnb/gunicorn.sock", "SERVER_PORT": ""}
    response = seeded_client.get(path, environ_overrides=environ)
    assert (response.status_code, response.headers.get("Location")) == (404, None)

"""Settings from the environment variables systemd passes to Gunicorn."""
import pytest
from sqlalchemy.engine import make_url

from hbnb.config import ConfigError, settings_from_env


def test_defaults():
    settings = settings_from_env({})
    assert settings == {
        "DATABASE_URL": "sqlite:////var/lib/hbnb/hbnb.db",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SECRET_KEY": None,
        # Writes need a token, and none is set: the API is read-only.
        "API_WRITE_ACCESS": "token",
        "API_TOKEN": None,
        # No directory to publish the data's generation in: not published.
        "GENERATION_DIR": None,
    }


def test_explicit_values():
    settings = settings_from_env({
        "HBNB_DATABASE_URL": "sqlite:////srv/data/x.db",
        "HBNB_MAX_CONTENT_LENGTH": "2048",
        "HBNB_SECRET_KEY": "k",
        "HBNB_API_WRITE_ACCESS": "open",
        "HBNB_API_TOKEN": "t",
        "HBNB_GENERATION_DIR": "/run/hbnb-generation",
        # HBNB_DATABASE_URL wins over the original's variables.
        "HBNB_TYPE_STORAGE": "db",
        "HBNB_MYSQL_USER": "u",
    })
    assert settings == {
        "DATABASE_URL": "sqlite:////srv/data/x.db",
        "MAX_CONTENT_LENGTH": 2048,
        "SECRET_KEY": "k",
        "API_WRITE_ACCESS": "open",
        "API_TOKEN": "t",
        "GENERATION_DIR": "/run/hbnb-generation",
    }


def test_write_access_is_token_or_open():
    with pytest.raises(ConfigError, match="HBNB_API_WRITE_ACCESS must be token or open, not 'public'"):
        settings_from_env({"HBNB_API_WRITE_ACCESS": "public"})


def test_mysql_url_from_the_original_variables():
    url = settings_from_env({
        "HBNB_TYPE_STORAGE": "db",
        "HBNB_MYSQL_USER": "hbnb_dev",
        "HBNB_MYSQL_PWD": "p@ss/w:rd",
        "HBNB_MYSQL_HOST": "db.internal",
        "HBNB_MYSQL_DB": "hbnb_dev_db",
    })["DATABASE_URL"]
    parsed = make_url(url)
    assert parsed.drivername == "mysql+mysqldb"
    assert parsed.username == "hbnb_dev"
    assert parsed.password == "p@ss/w:rd"
    assert parsed.host == "db.internal"
    assert parsed.database == "hbnb_dev_db"
    assert parsed.query == {"charset": "utf8mb4"}


def test_mysql_host_defaults_to_localhost():
    url = settings_from_env({"HBNB_TYPE_STORAGE": "db", "HBNB_MYSQL_USER": "u", "HBNB_MYSQL_DB": "d"})
    assert make_url(url["DATABASE_URL"]).host == "localhost"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"HBNB_TYPE_STORAGE": "db"}, "HBNB_TYPE_STORAGE=db needs HBNB_MYSQL_USER and HBNB_MYSQL_DB"),
        ({"HBNB_TYPE_STORAGE": "db", "HBNB_MYSQL_USER": "u"}, "HBNB_TYPE_STORAGE=db needs HBNB_MYSQL_DB"),
        ({"HBNB_MAX_CONTENT_LENGTH": "1MB"}, "HBNB_MAX_CONTENT_LENGTH must be a positive number of bytes, not '1MB'"),
        ({"HBNB_MAX_CONTENT_LENGTH": "0"}, "HBNB_MAX_CONTENT_LENGTH must be a positive number of bytes, not '0'"),
    ],
)
def test_unusable_values_are_refused(environ, message):
    with pytest.raises(ConfigError) as raised:
        settings_from_env(environ)
    assert str(raised.value) == message


def test_create_app_reads_the_environment(monkeypatch, tmp_path):
    from hbnb import create_app

    monkeypatch.setenv("HBNB_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("HBNB_MAX_CONTENT_LENGTH", "4096")
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/env.db"
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    # A config given to create_app wins over the environment.
    assert create_app({"MAX_CONTENT_LENGTH": 10}).config["MAX_CONTENT_LENGTH"] == 10

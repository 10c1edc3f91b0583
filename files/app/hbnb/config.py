"""Settings read from the environment (systemd passes them through an EnvironmentFile)."""
import os

from sqlalchemy.engine import URL

DEFAULT_DATABASE_URL = "sqlite:////var/lib/hbnb/hbnb.db"
DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024


class ConfigError(ValueError):
    """An environment variable holds a value the app cannot use."""


def database_url(environ=None):
    """HBNB_DATABASE_URL, else the original's HBNB_MYSQL_* variables, else SQLite."""
    environ = os.environ if environ is None else environ
    if environ.get("HBNB_DATABASE_URL"):
        return environ["HBNB_DATABASE_URL"]
    if environ.get("HBNB_TYPE_STORAGE") != "db":
        return DEFAULT_DATABASE_URL
    missing = [name for name in ("HBNB_MYSQL_USER", "HBNB_MYSQL_DB") if not environ.get(name)]
    if missing:
        raise ConfigError(f"HBNB_TYPE_STORAGE=db needs {' and '.join(missing)}")
    url = URL.create(
        "mysql+mysqldb",
        username=environ["HBNB_MYSQL_USER"],
        password=environ.get("HBNB_MYSQL_PWD") or None,
        host=environ.get("HBNB_MYSQL_HOST") or "localhost",
        database=environ["HBNB_MYSQL_DB"],
        # utf8mb4: names and descriptions may hold any Unicode character.
        query={"charset": "utf8mb4"},
    )
    # URL.create escapes the password; render it back unmasked for create_engine.
    return url.render_as_string(hide_password=False)


def max_content_length(environ=None):
    """HBNB_MAX_CONTENT_LENGTH in bytes: the largest request body accepted."""
    environ = os.environ if environ is None else environ
    raw = environ.get("HBNB_MAX_CONTENT_LENGTH")
    if not raw:
        return DEFAULT_MAX_CONTENT_LENGTH
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"HBNB_MAX_CONTENT_LENGTH must be a positive number of bytes, not {raw!r}")
    return value


WRITE_ACCESS = ("token", "open")


def write_access(environ=None):
    """HBNB_API_WRITE_ACCESS: `token` (the default: writes need HBNB_API_TOKEN) or `open`."""
    environ = os.environ if environ is None else environ
    value = environ.get("HBNB_API_WRITE_ACCESS") or "token"
    if value not in WRITE_ACCESS:
        raise ConfigError(f"HBNB_API_WRITE_ACCESS must be token or open, not {value!r}")
    return value


def settings_from_env(environ=None):
    """The Flask config keys this app reads, from the environment."""
    environ = os.environ if environ is None else environ
    return {
        "DATABASE_URL": database_url(environ),
        "MAX_CONTENT_LENGTH": max_content_length(environ),
        # Nothing signs cookies yet; None keeps Flask from signing with a guessable key.
        "SECRET_KEY": environ.get("HBNB_SECRET_KEY") or None,
        "API_WRITE_ACCESS": write_access(environ),
        # With `token` and no token at all, nobody writes: the API is read-only.
        "API_TOKEN": environ.get("HBNB_API_TOKEN") or None,
        # Where the data's generation is published for Nginx (hbnb/generation_link.py); unset
        # (tests, a checkout): not published.
        "GENERATION_DIR": environ.get("HBNB_GENERATION_DIR") or None,
    }


def demo_data(environ=None):
    """HBNB_DEMO_DATA: `true` (the default) loads the demo data into a new database, `false` never."""
    environ = os.environ if environ is None else environ
    value = environ.get("HBNB_DEMO_DATA") or "true"
    if value not in ("true", "false"):
        raise ConfigError(f"HBNB_DEMO_DATA must be true or false, not {value!r}")
    return value == "true"

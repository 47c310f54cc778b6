"""The production-shaped stack in docker-compose.yml, checked without a Docker engine."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_stack_has_the_five_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat"}


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


def test_worker_and_beat_wait_for_migrated_web(compose):
    for name, role in (("worker", "worker"), ("beat", "beat")):
        service = compose["services"][name]
        assert service["command"] == ["celery", "-A", "mentorship", role, "-l", "info"]
        assert service["depends_on"]["web"]["condition"] == "service_healthy"

"""The production access log (gunicorn, configured in gunicorn.conf.py) keeps names out."""

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_an_access_log_line_has_the_path_but_not_the_search_or_the_referring_page():
    settings = runpy.run_path(str(CONF))
    config = Config()
    config.set("accesslog", settings["accesslog"])
    config.set("access_log_format", settings["access_log_format"])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/accounts/demo/mentees/?q=Rosalind+Okafor",
        "PATH_INFO": "/accounts/demo/mentees/",
        "QUERY_STRING": "q=Rosalind+Okafor",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": "https://app.example/accounts/demo/mentees/?q=Rosalind",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = Logger(config).atoms(response, request, environ, timedelta(milliseconds=42))
    line = settings["access_log_format"] % atoms
    assert "GET /accounts/demo/mentees/ HTTP/1.1" in line and " 200 " in line
    assert "203.0.113.7" in line and "Mozilla/5.0" in line
    assert "Rosalind" not in line and "q=" not in line

"""gunicorn settings, read from the working directory (the Dockerfile starts it there).

Access log lines name the path, never the query string or the referring page: a participant
search (`?q=<name>`) or a filtered list must not leave a name in the logs."""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'

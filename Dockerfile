# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

# The project runs from /app rather than being pip-installed: settings find templates/ and
# static/ next to the code (BASE_DIR), which site-packages would not have.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=mentorship.settings \
    VAR_DIR=/var/lib/mentorship \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Runtime dependencies first, exactly the locked tree with every file's hash checked (`make
# lock` writes requirements.lock; no dev tools, no embedded PostgreSQL), so editing code does
# not invalidate this (slow) layer. The project itself is not pip-installed (see above).
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# A fixed non-root user: the app never needs root, and named volumes mounted at the
# directories below inherit this ownership on first use.
RUN useradd --system --uid 10001 --user-group --home-dir /app app \
    && mkdir -p /var/lib/mentorship /app/staticfiles \
    && chown app:app /var/lib/mentorship /app/staticfiles

COPY --chown=app:app . .

USER app
EXPOSE 8000

# collectstatic runs at start (it needs SECRET_KEY, which only exists at run time); exec hands
# PID 1 to gunicorn so it receives `docker stop`'s SIGTERM. Migrations are not run here but once
# per deploy, as the schema's owner, by docker-compose.yml's one-off `migrate` service: the
# role web connects as may not change the schema.
CMD ["sh", "-c", "python manage.py collectstatic --noinput && exec gunicorn mentorship.wsgi:application --bind 0.0.0.0:8000"]

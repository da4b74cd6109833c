# AICMO: one image for the web process (gunicorn) and the background worker (db_worker).
# It installs through scripts/setup.sh, the same script `make test` and CI run, so CI exercises
# this install step even where no container engine runs.
#
#   docker build -t aicmo .
#   docker compose up -d          (PostgreSQL, web and worker: see compose.yaml)
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. setup.sh installs the system
# packages of scripts/apt-packages.txt (WeasyPrint's Pango, HarfBuzz and a font) and the pinned
# Python packages into $VENV.
COPY requirements.txt .python-version ./
COPY scripts/ scripts/
RUN ./scripts/setup.sh \
    && rm -rf /var/lib/apt/lists/*

COPY . .

# A user without privileges owns only var/ (static files, media, the embedded database).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home aicmo \
    && mkdir -p /app/var/static /app/var/media \
    && chown -R aicmo:aicmo /app/var
USER aicmo

ENV DEBUG=false \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media \
    GUNICORN_BIND=0.0.0.0:8000

# Hashed, compressed static files are baked into the image; WhiteNoise serves them.
RUN SECRET_KEY=collectstatic-only DASHBOARD_BUILD=image python manage.py collectstatic --no-input -v 0

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# The web process. The worker runs the same image with: python manage.py db_worker
CMD ["gunicorn", "-c", "gunicorn.conf.py", "aicmo_site.wsgi:application"]

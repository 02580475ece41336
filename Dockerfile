# Baladeur server image: the `baladeur` CLI, the API (`baladeur serve`) and, in the scale
# mode, the migrations (`baladeur db upgrade`) and workers. See docker-compose.yml.
#
#   docker build -t baladeur .
#   docker run -p 8000:8000 -v baladeur-data:/data baladeur     # embedded mode: SpatiaLite + local blobs

# The browser apps (visitor player, studio, residents' pages) are bundled with esbuild from the npm registry;
# Swagger UI's files for /docs come from there too.
FROM node:20-slim AS web
WORKDIR /web
# npm ci needs every workspace's package.json; the sources follow, so editing them keeps
# the dependency layer cached.
COPY package.json package-lock.json ./
COPY web/engine/package.json web/engine/package.json
COPY web/dom/package.json web/dom/package.json
COPY web/player/package.json web/player/package.json
COPY web/studio/package.json web/studio/package.json
COPY web/contribute/package.json web/contribute/package.json
COPY web/apidocs/package.json web/apidocs/package.json
RUN npm ci --no-audit --no-fund
COPY web web
COPY docs/trigger-vectors docs/trigger-vectors
RUN npm run build

# The Python wheel, with the built web apps inside as package data (setup.py refuses to
# build it without them).
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . /src
COPY --from=web /web/server/static/player /src/server/static/player
COPY --from=web /web/server/static/studio /src/server/static/studio
COPY --from=web /web/server/static/contribute /src/server/static/contribute
COPY --from=web /web/server/static/apidocs /src/server/static/apidocs
RUN pip install --no-cache-dir build \
    && python -m build --wheel --outdir /dist

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# SpatiaLite for the embedded database, ffmpeg for probing and encoding audio.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libsqlite3-mod-spatialite \
        ffmpeg \
    && rm -rf /var/lib/apt/lists/*

# The same wheel as `python -m build --wheel` makes anywhere else, installed with the server
# extra: the image runs no code from the source tree.
COPY --from=wheel /dist /tmp/dist
RUN set -- /tmp/dist/baladeur-*.whl \
    && pip install --no-cache-dir "$1[server]" \
    && rm -rf /tmp/dist
# The demo trail, to import by hand (docker-compose.yml shows how); it is not package data.
COPY examples/moulin-de-marchienne /usr/share/baladeur/examples/moulin-de-marchienne
WORKDIR /data

# Run as an unprivileged user that owns only the data directory (database, blobs, keys in
# the embedded mode). A named volume mounted on /data starts with this ownership.
RUN groupadd --system --gid 10001 baladeur \
    && useradd --system --uid 10001 --gid baladeur --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin baladeur \
    && mkdir -p /data \
    && chown baladeur:baladeur /data
USER baladeur

ENV BALADEUR_DATA_DIR=/data
EXPOSE 8000

# The slim image has no curl: ask Python. urlopen raises on a non-2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["baladeur", "serve", "--host", "0.0.0.0", "--port", "8000"]

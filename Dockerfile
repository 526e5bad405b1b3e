# termsheet serve in a container: the wheel with its pinned dependencies, the flagship agreements
# (shipped inside the package), a non-root user, and the data (access file, store) in /data.
#
#   docker build -t termsheet .
#   mkdir -p data && sudo chown 10001 data        # the container's user writes /data
#   docker run --rm -v "$PWD/data:/data" termsheet termsheet token add desk --admin --access /data/access.yaml
#   docker run --rm -p 8000:8000 -v "$PWD/data:/data" termsheet
#   docker run --rm -p 8000:8000 -v "$PWD/data:/data" -v "$PWD/agreements:/agreements:ro" \
#     -e TERMSHEET_AGREEMENTS=/agreements termsheet
#
# The server listens on all interfaces inside the container, so it needs an access file:
# `termsheet serve` refuses an open server on any address but loopback.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /dist /dist
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -c /tmp/requirements.lock /dist/termsheet-*.whl \
    && rm -rf /dist /tmp/requirements.lock \
    && useradd --create-home --uid 10001 termsheet \
    && mkdir /data && chown termsheet /data
USER termsheet
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# TERMSHEET_AGREEMENTS: a folder of agreement folders; unset, the shipped flagship.
CMD ["sh", "-c", "exec termsheet serve --host 0.0.0.0 --port 8000 --access /data/access.yaml --store /data/termsheet.duckdb --agreements \"${TERMSHEET_AGREEMENTS:-$(python -c 'from termsheet.examples import AGREEMENTS; print(AGREEMENTS)')}\""]

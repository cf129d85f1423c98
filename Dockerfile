# One container per merchant: `docker run -v syncd-data:/data -e ... syncd` runs the daemon.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY syncd ./syncd
COPY connectors ./connectors
COPY migrations ./migrations
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SYNCD_CONFIG=/config/config.yaml \
    SYNCD_DATABASE__URL=sqlite:////data/syncd.db \
    SYNCD_LOGGING__FORMAT=json
COPY --from=build /install /usr/local
RUN groupadd --system --gid 10001 syncd \
    && useradd --system --uid 10001 --gid syncd --home-dir /data --no-create-home syncd \
    && mkdir -p /data /config \
    && chown syncd:syncd /data
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os,urllib.request;urllib.request.urlopen('http://127.0.0.1:'+os.environ.get('SYNCD_HTTP__PORT','8080')+'/healthz',timeout=4)"]
ENTRYPOINT ["syncd"]
CMD ["run"]

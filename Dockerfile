# Agora in a container: `docker build -t agora .` then
# `docker run -v agora-data:/data -e DISCORD_TOKEN=… agora run --config /data/agora.toml`
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip install --no-cache-dir --prefix=/install -c constraints.txt .

FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 agora && mkdir /data && chown agora:agora /data
USER agora
WORKDIR /data
VOLUME ["/data"]
# The SQLite default lands in /data/agora.db; the config file is read from /data/agora.toml.
ENV AGORA_CONFIG=/data/agora.toml
# `agora health` (run in /data, like the bot) exits 1 unless the Agora holding
# /data/agora.pid answers and the database is readable; it opens SQLite read-only,
# waits at most 3 s for the database and 3 s for /healthz (with [bot] health_port).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["agora", "health"]
ENTRYPOINT ["agora"]
CMD ["run"]

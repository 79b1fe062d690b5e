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
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["agora", "health"]
ENTRYPOINT ["agora"]
CMD ["run"]

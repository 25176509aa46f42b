# cassbot: one slim image, running as a non-root user.
#   docker build -t cassbot .
#   docker run -p 8080:8080 -v cassbot-data:/app/var cassbot
# Production: mount a config file and give secrets through the environment, e.g.
#   -v /etc/cassbot/cassbot.toml:/app/config/cassbot.toml:ro
#   -e CASSBOT__ADAPTERS__WHATSAPP__API_KEY=… -e CASSBOT__DATABASE__URL=postgresql+asyncpg://…

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY cassbot ./cassbot
COPY adapters ./adapters
COPY moderation ./moderation
COPY config ./config
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[postgres]'

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CASSBOT__SERVER__HOST=0.0.0.0 \
    CASSBOT__LOGGING__FORMAT=json
RUN useradd --create-home --uid 10001 cassbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY --chown=cassbot:cassbot config ./config
RUN mkdir -p /app/var && chown cassbot:cassbot /app/var
USER cassbot
VOLUME ["/app/var"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["cassbot"]
CMD ["run"]

# One image for every Supply Hub process: the API, the projection worker, the relay, the
# inbound worker and the one-shot migration. The service's `command` picks the sub-command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies change less often than the code: install them in their own layer.
COPY pyproject.toml README.md ./
RUN mkdir domain storage projections api connectors supplyhub \
    && touch domain/__init__.py storage/__init__.py projections/__init__.py api/__init__.py \
       connectors/__init__.py supplyhub/__init__.py \
    && pip install . \
    && pip uninstall -y supplyhub

COPY domain ./domain
COPY storage ./storage
COPY projections ./projections
COPY api ./api
COPY connectors ./connectors
COPY storage ./storage
COPY supplyhub ./supplyhub
RUN pip install --no-deps .

# Never run as root; the embedded store (if used without PostgreSQL) lives in /app/data.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin supplyhub \
    && mkdir -p /app/data && chown supplyhub /app/data
USER supplyhub
ENV SUPPLYHUB_DATA_DIR=/app/data

EXPOSE 8000
ENTRYPOINT ["supplyhub"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]

# The bot's container image: `docker build -t cqc-improvement-bot .`
# Schema changes are a deploy step, never run at start: `docker run … cqc-improvement-bot db upgrade`.

# ---- build: the app's wheel and every dependency, installed into a virtual environment --------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY domain ./domain
COPY storage ./storage
COPY scheduler ./scheduler
COPY manifest ./manifest
RUN python -m venv /opt/cqcbot \
    && /opt/cqcbot/bin/pip install "setuptools==80.9.0" "wheel==0.45.1" \
    && /opt/cqcbot/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/cqcbot/bin/pip install /wheels/*.whl \
    && /opt/cqcbot/bin/pip uninstall --yes pip setuptools wheel

# ---- run: the same slim Python, the virtual environment, no build tools, not root -------------
FROM python:3.11-slim
ENV PATH=/opt/cqcbot/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=3978
RUN groupadd --system --gid 10001 cqcbot \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /app cqcbot
COPY --from=build /opt/cqcbot /opt/cqcbot
COPY examples /app/examples
WORKDIR /app
USER 10001:10001
EXPOSE 3978
# /healthz answers from the process (liveness); readiness (database, schema) is /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=4)"]
# Exec form: cqcbot is PID 1 and gets the platform's SIGTERM itself (graceful shutdown).
ENTRYPOINT ["cqcbot"]
CMD ["serve"]

# The production image: web, worker and beat all run from it (see docker-compose.yml).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/venv UV_PYTHON_DOWNLOADS=never
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.8 && useradd --create-home dixian
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-default-groups --no-install-project
COPY --from=assets /app/node_modules ./node_modules
COPY . .
ENV PATH=/venv/bin:$PATH DIXIAN_DEBUG=false
# Build-time only: collectstatic and compilemessages need settings, not real secrets. The keys
# are random and thrown away with the layer's environment: settings refuse any fixed value.
RUN export DIXIAN_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DIXIAN_ID_HASH_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    DIXIAN_ID_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    && python manage.py collectstatic --no-input -v 0 && python manage.py compilemessages -v 0
# Uploaded import files wait here for the worker, and long exports for their download (volumes
# shared by web and workers): the server user's alone.
RUN mkdir -p /app/var/imports /app/var/exports && chown dixian /app/var/imports /app/var/exports && chmod 700 /app/var/imports /app/var/exports
USER dixian
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi", "-b", "0.0.0.0:8000", "-w", "4", "--threads", "4", "-e", "DIXIAN_DB_POOL_SIZE=4"]

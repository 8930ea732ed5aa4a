FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time; whitenoise serves them. var/beat and
# var/media are where compose mounts its volumes: made here, a new named volume
# takes this owner (the non-root user) instead of root.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 mostrador \
    && mkdir -p /app/var/beat /app/var/media && chown -R mostrador /app/var
USER mostrador

EXPOSE 8000
CMD ["gunicorn", "config.asgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "uvicorn_worker.UvicornWorker", "--graceful-timeout", "5"]

# The plcflow image: worker (default), projector and HTTP API (docker-compose.yml
# builds it once as plcflow:$PLCFLOW_VERSION). It installs only the runtime
# dependencies: the dev server, embedded PostgreSQL and the test tools are the
# `local` and `test` extras, for `make run` and `make test` only.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 10001 plcflow
WORKDIR /app
COPY pyproject.toml README.md worker.py projector.py notifier.py ./
COPY domain ./domain
COPY simulation ./simulation
COPY workflows ./workflows
COPY activities ./activities
COPY app ./app
COPY cli ./cli
COPY api ./api
COPY web ./web
COPY bench ./bench
RUN pip install --no-cache-dir . && rm -rf build *.egg-info
USER plcflow
CMD ["python", "worker.py"]

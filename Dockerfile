# The plcflow worker image (production: see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 10001 plcflow
WORKDIR /app
COPY pyproject.toml README.md worker.py projector.py ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY app ./app
COPY cli ./cli
COPY api ./api
COPY bench ./bench
RUN pip install --no-cache-dir . && rm -rf build *.egg-info
USER plcflow
CMD ["python", "worker.py"]

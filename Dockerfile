# The casegraph API. Neo4j runs in its own container (docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY casegraph ./casegraph
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["sh", "-c", "casegraph db init && casegraph seed && casegraph serve --host 0.0.0.0 --port 8000"]

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY matcher ./matcher
COPY api ./api
COPY data ./data
RUN pip install --no-cache-dir .
ENV DATABASE_URL=sqlite:////data/mentor-match.db
VOLUME ["/data"]
EXPOSE 8000
# The batch command works the same way:
#   docker run --rm -v "$PWD:/work" IMAGE mentor-match run --mentors /work/mentors.csv --mentees /work/mentees.csv --out /work/out
CMD ["mentor-match", "serve", "--host", "0.0.0.0", "--port", "8000"]

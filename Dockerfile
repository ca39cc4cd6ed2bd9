# The service and the batch command in one image, running as an unprivileged user.
#
#   docker build -t mentor-match .                       # from a public Python image, with PyPI
#   docker run -d -p 8000:8000 -v mm-data:/data mentor-match
#
# Without a package index (as CI builds it): a base image with python3 and python3-venv, and the
# wheels of the project and of every locked dependency built beforehand into ./wheelhouse:
#   pip wheel -c requirements.lock -w wheelhouse .
#   docker build --build-arg BASE=mm-base --build-arg INSTALL="--no-index --find-links /src/wheelhouse mentor-match" .
ARG BASE=python:3.11-slim
FROM ${BASE}
ARG INSTALL=/src
COPY . /src
RUN python3 -m venv /opt/mentor-match \
    && /opt/mentor-match/bin/pip install --no-cache-dir --disable-pip-version-check -c /src/requirements.lock $INSTALL \
    && rm -rf /src \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin mentor \
    && mkdir -p /data && chown mentor /data
ENV PATH=/opt/mentor-match/bin:$PATH \
    DATABASE_URL=sqlite:////data/mentor-match.db \
    PYTHONDONTWRITEBYTECODE=1
USER mentor
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
# The batch command works the same way:
#   docker run --rm -v "$PWD:/work" mentor-match mentor-match run --mentors /work/mentors.csv --mentees /work/mentees.csv --out /work/out
CMD ["mentor-match", "serve", "--host", "0.0.0.0", "--port", "8000"]

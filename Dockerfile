# The one image recipe of the seven Python processes (gateway, identity, billing,
# recovery, ratings, teams, portal), built from the repository root with the
# process's name and port as build arguments (docker-compose.yml passes them):
#
#   docker build --build-arg SERVICE=billing --build-arg PORT=8002 -t creditdesk-billing .
#
# PORT is the process's http_port (its settings' default; tests/deploy checks that
# compose's build arguments agree with the settings and the local launcher).
#
# Two stages, so the runtime image holds exactly what requirements/<SERVICE>.lock
# pins (hash-checked) plus the three workspace packages the process runs on.
#
# Build backend: contracts, chassis and the service are built with hatchling,
# which is not a runtime dependency, so it is in no requirements/<SERVICE>.lock.
# Letting pip fetch it through build isolation would install an unpinned,
# unchecked hatchling. Instead the first stage takes the pins of hatchling and of
# its own requirements, hashes included, from the root requirements.lock (the
# development lock, which keeps the build backend for exactly this reason),
# installs them with --require-hashes and builds the three wheels with
# --no-build-isolation. If hatchling ever gains a requirement missing from the
# list below, --require-hashes stops the build instead of guessing. That stage is
# thrown away: the runtime image carries neither hatchling nor any source.

FROM python:3.11-slim AS wheels
ARG SERVICE
ARG PORT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PYTHONDONTWRITEBYTECODE=1
# Both arguments are required: stop at once with the command that works.
RUN test -n "${SERVICE}" && test -n "${PORT}" \
 || { echo "build with --build-arg SERVICE=<name> --build-arg PORT=<its http_port>" >&2; exit 1; }
WORKDIR /build
COPY requirements.lock ./
# Keep, from the root lock, the blocks (pin line + --hash lines) of hatchling
# and its requirements on Python 3.11.
RUN awk -v keep=" hatchling packaging pathspec pluggy tomlkit trove-classifiers " \
        '/^[A-Za-z0-9]/ { split($1, pin, "=="); wanted = index(keep, " " pin[1] " ") > 0 } \
         wanted && (/^[A-Za-z0-9]/ || /^ +--hash=/) { print }' \
        requirements.lock > build-backend.lock \
 && pip install --no-cache-dir --require-hashes -r build-backend.lock
COPY libs/contracts libs/contracts
COPY libs/chassis libs/chassis
COPY services/${SERVICE} services/${SERVICE}
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels \
        libs/contracts libs/chassis services/${SERVICE}

FROM python:3.11-slim
ARG SERVICE
ARG PORT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# System libraries a Python lock cannot install, by service. recovery: WeasyPrint (the
# generated letters, ADR 0024) draws text with Pango and embeds the DejaVu fonts its
# print stylesheet names; both come from Debian's own packages. The others need none.
RUN case "${SERVICE}" in \
        recovery) packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" ;; \
        *) packages="" ;; \
    esac \
 && if [ -n "${packages}" ]; then \
        apt-get update \
     && apt-get install --yes --no-install-recommends ${packages} \
     && rm -rf /var/lib/apt/lists/*; \
    fi
# Third-party dependencies first (the slow layer, rebuilt only when the lock changes).
COPY requirements/${SERVICE}.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.lock && rm /tmp/requirements.lock
# Then the workspace packages; their dependencies are all in the lock above.
COPY --from=wheels /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin creditdesk
USER 10001:10001
# The build arguments are gone at run time: the process's app and port stay as ENV.
ENV CREDITDESK_APP=${SERVICE}.app:create_app CREDITDESK_PORT=${PORT}
EXPOSE ${PORT}
# No curl in slim images: probe with the standard library (the shell fills in the port).
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${CREDITDESK_PORT}/health', timeout=4)"
# `exec`: uvicorn replaces the shell as PID 1 and receives docker's SIGTERM itself.
CMD exec uvicorn --factory "${CREDITDESK_APP}" --host 0.0.0.0 --port "${CREDITDESK_PORT}" --no-proxy-headers

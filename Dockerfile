# The Reconnect bot as one container: `podman build -t reconnect .` (or `docker build`).
#
# BASE_IMAGE: any Debian-like image. Node 24 itself comes from the npm `node` package (the
# repository's devDependency), so a base without Node works too (debian:bookworm-slim, or one
# made locally with debootstrap): the build stage then installs Debian's npm only to run `npm ci`.
# AGENT_TARGETS: the agent executables to build (`linux-x64,win-x64,...`); empty builds them all.
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS build
ARG AGENT_TARGETS=""
# Behind a TLS-inspecting proxy, the registry's chain ends at the proxy's CA: name a bundle that
# has it (podman: `-v /etc/ssl/certs/ca-certificates.crt:/run/ca.crt:ro --build-arg
# NODE_EXTRA_CA_CERTS=/run/ca.crt`). A build argument, so it never reaches the final image.
ARG NODE_EXTRA_CA_CERTS=""
# Debian's npm bootstraps the install only; every build step afterwards runs on node@24.
RUN if ! command -v npm >/dev/null 2>&1; then \
      apt-get update -qq && \
      apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null && \
      rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
# Dependencies first, so a source change reuses this layer. Install scripts run for the packages
# the project allows (package.json "allowScripts": Node 24's binary, esbuild, Web Chat's helpers).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
    npm rebuild --loglevel=error $(node -p "const a = require('./package.json').allowScripts || {}; \
      Object.keys(a).filter((k) => a[k] === true).join(' ')") && \
    node_modules/.bin/node --version
# The agent executables start from newer official Node binaries, which load libatomic; their
# symbols come off with llvm-strip before injection (scripts/agents/strip.ts). Build stage only.
RUN if ! ldconfig -p | grep -q 'libatomic\.so\.1' || ! command -v llvm-strip >/dev/null 2>&1; then \
      apt-get update -qq && \
      apt-get install -y -qq --no-install-recommends libatomic1 llvm >/dev/null && \
      rm -rf /var/lib/apt/lists/*; \
    fi
COPY . .
# The one-file agent and the web chat page (the postinstall's two steps), then the per-OS agent
# executables when this tree has that script (dist/agents/ with its manifest.json).
RUN npm run build --silent && npm run build:web --silent && \
    if node -e "process.exit(require('./package.json').scripts['build:agents'] ? 0 : 1)"; then \
      if [ -n "$AGENT_TARGETS" ]; then export AGENT_TARGETS; else unset AGENT_TARGETS; fi; \
      npm run build:agents --silent; \
    fi
# Keep Node 24's binary before the devDependencies (which carry it) are pruned.
RUN mkdir -p /opt/node/bin && cp "$(node_modules/.bin/node -p process.execPath)" /opt/node/bin/node && \
    npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && \
    rm -rf node_modules/.cache

FROM ${BASE_IMAGE}
# A fixed, unprivileged uid/gid: Kubernetes' runAsNonRoot checks the number, and volumes can be
# chowned to it ahead of time.
RUN groupadd --gid 10001 reconnect && \
    useradd --uid 10001 --gid reconnect --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin reconnect && \
    mkdir -p /data && chown 10001:10001 /data
COPY --from=build /opt/node/bin/node /usr/local/bin/node
WORKDIR /app
# Only what the running bot reads; the tree stays root-owned and read-only to the bot.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bot ./bot
COPY --from=build /src/cards ./cards
COPY --from=build /src/probes ./probes
COPY --from=build /src/dist ./dist
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/data
# SQLite and the generated Direct Line secret: the only place the bot writes, so the root
# filesystem can be mounted read-only.
VOLUME ["/data"]
USER 10001:10001
EXPOSE 3978
# The image has no curl: Node's fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node as PID 1: bot/main.ts handles SIGTERM and SIGINT itself (drain, close, exit within 10 s).
STOPSIGNAL SIGTERM
CMD ["node", "bot/main.ts"]

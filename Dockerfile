# syntax=docker/dockerfile:1
# The escalation bot's container image: built in one stage, run from a second that holds only what
# runs (the compiled bot, its production packages, package.json). tests/integration/dockerfile.test.ts
# checks this file's rules and runs its steps outside a container.

# ── build: compile to dist/, then drop the development packages ────────────────────────────────
FROM node:24-bookworm-slim AS build
# better-sqlite3 compiles its native part where no prebuilt binary fits: build tools here only.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY adaptive-cards ./adaptive-cards
RUN npm run build && npm prune --omit=dev

# ── runtime: no compilers, no sources, not root ─────────────────────────────────────────────────
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3978 DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The embedded store's folder (SINGLE_HOST=true only; several replicas use Azure Cosmos DB), the one place the bot writes.
RUN mkdir -p /app/data && chown node:node /app/data
# The node image's own unprivileged user (uid 1000).
USER node
EXPOSE 3978
# Alive: /livez answers (no curl in the slim image, so Node's fetch asks).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]

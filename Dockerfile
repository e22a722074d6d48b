# syntax=docker/dockerfile:1
# storygraph image in three stages. The build stage needs the dev dependencies (the Prisma CLI that
# generates the client, TypeScript); the production-deps stage installs what the server loads; the
# runtime stage copies the results of both and runs as the unprivileged `node` user.
#
# Where a proxy re-signs the npm registry's TLS with a local CA, put that CA bundle (PEM) in the
# build context as npm-ca.pem (scripts/compose-test.sh copies the host's there for the build).
# Only the two install stages read it; the runtime stage never copies it, so it is in no layer of
# the final image. Without the file, npm uses its own CA list.

FROM node:26.12.1-trixie-slim AS build
WORKDIR /app
# The [m] makes the CA optional: a pattern that matches nothing is not an error.
COPY package.json package-lock.json prisma.config.ts npm-ca.pe[m] ./
COPY prisma ./prisma
COPY scripts/prisma-generate.mjs ./scripts/prisma-generate.mjs
# No dependency's install script runs: @prisma/engines' one downloads binaries from outside the
# npm registry. npm 11 (bundled with Node 26) already skips those not allowed in package.json's
# `allowScripts`; `--ignore-scripts` says so whatever npm builds the image, and generating the
# client explicitly needs the registry only.
RUN if [ -f npm-ca.pem ]; then export NPM_CONFIG_CAFILE=/app/npm-ca.pem; fi \
 && npm ci --ignore-scripts --no-audit --no-fund \
 && npm run generate
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:26.12.1-trixie-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json npm-ca.pe[m] ./
# The compiled Prisma client is in dist, so the production install needs no install scripts.
# @prisma/client names the Prisma CLI and TypeScript as peers. Both are also dev dependencies of
# this package, so npm flags them neither dev nor peer and `--omit=dev` keeps them, with all the
# CLI pulls in. Nothing at run time loads them. With the dev dependencies deleted from this
# stage's package.json, they are reachable through peer edges only, and pruning with
# `--omit=peer` drops them: node_modules shrinks from about 410 MB to 160 MB. (`npm uninstall
# prisma` does not: the peer edge keeps it in npm's ideal tree.)
RUN if [ -f npm-ca.pem ]; then export NPM_CONFIG_CAFILE=/app/npm-ca.pem; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm pkg delete devDependencies \
 && npm prune --omit=dev --omit=peer --ignore-scripts --no-audit --no-fund

FROM node:26.12.1-trixie-slim AS runtime
LABEL org.opencontainers.image.title="storygraph" \
      org.opencontainers.image.description="A live GraphQL graph of a news story" \
      org.opencontainers.image.base.name="docker.io/library/node:26.12.1-trixie-slim"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=production-deps /app/node_modules ./node_modules
# /app/data (the default DATA_DIR) is the one writable place: a container started without
# DATABASE_URL falls back to the embedded database there.
RUN mkdir -p /app/data \
 && chown node:node /app/data
COPY --from=build /app/dist ./dist
# The migration runner looks for prisma/migrations next to dist, at the project root.
COPY prisma/migrations ./prisma/migrations
USER node
EXPOSE 4000
# The slim image has no curl or wget; Node's own fetch does the probe. No --start-period: the
# dockerfilelint 1.8.0 option check misreads it, so the extra retries give start-up its grace
# instead (docker-compose.yml sets start_period for the api service).
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]

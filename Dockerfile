# syntax=docker/dockerfile:1
# storygraph: a multi-stage build. The build stage needs the dev dependencies (Prisma's CLI for the
# generated client, TypeScript); the runtime stage carries only what `node dist/src/main.js` needs.

FROM node:22.12.0-bookworm-slim AS build
WORKDIR /app
# The install runs `prisma generate` (postinstall), which needs the schema and its config.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-generate.mjs ./scripts/prisma-generate.mjs
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:22.12.0-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="storygraph" \
      org.opencontainers.image.description="A live GraphQL graph of a news story"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts: the generated client is already in dist.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
USER node
EXPOSE 4000
# The slim image has no curl; Node's fetch does the same job.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]

# syntax=docker/dockerfile:1
# Build: compile the TypeScript once, then keep only the production dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: plain Node on the compiled JavaScript, as the unprivileged `node` user, with tini as PID 1
# so SIGTERM reaches the bot (which then stops polling and finishes in-flight triages).
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/oncall-agent \
 && chown node:node /var/lib/oncall-agent
ENV NODE_ENV=production \
    ONCALL_HTTP_PORT=9464 \
    ONCALL_HTTP_ADDRESS=0.0.0.0 \
    ONCALL_STATE_FILE=/var/lib/oncall-agent/state.json \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
VOLUME ["/var/lib/oncall-agent"]
EXPOSE 9464
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli/entry.js"]
CMD ["run", "--loop"]

# syntax=docker/dockerfile:1
# spot-handler image: the esbuild bundle on a distroless Node 22 runtime (the AWS SDK needs Node 22 from 2027).

# --- build: install with the lockfile, bundle src/ into dist/spot-handler.mjs + dist/chunks/ ---
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/bundle-options.mjs scripts/
COPY src src
# mkdir: COPY below needs dist/chunks even if a build ever has no dynamic import.
RUN npm run build && mkdir -p dist/chunks && rm -f dist/*.map dist/chunks/*.map
# The bundle inlines every dependency (dynamic imports become chunks), so the runtime needs no node_modules.
# Fail the build if it does: run the bundle from a directory without node_modules.
RUN mkdir -p /smoke && cp -r dist/spot-handler.mjs dist/chunks /smoke/ \
    && cd /smoke && (node spot-handler.mjs --help >/smoke/out 2>&1 || true) \
    && if grep -q 'ERR_MODULE_NOT_FOUND' /smoke/out; then cat /smoke/out; exit 1; fi

# --- runtime: distroless, no shell, user nonroot (65532) ---
FROM gcr.io/distroless/nodejs22-debian12:nonroot
LABEL org.opencontainers.image.title="spot-handler" \
      org.opencontainers.image.description="Cordons, taints and drains Kubernetes nodes when EC2 interrupts them" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/spot-handler/spot-handler"
WORKDIR /app
COPY --from=build /src/dist/spot-handler.mjs /app/spot-handler.mjs
COPY --from=build /src/dist/chunks /app/chunks
USER 65532:65532
EXPOSE 8080
# Smaller V8 young generation and size-optimised code: about 20 MiB less RSS (docs/plan, stack notes §3).
# No JIT tiers above the interpreter (TurboFan, Maglev, Sparkplug): without them idle RSS stays flat at
# ~45 MiB instead of growing to ~58 MiB over ten minutes (ADR 0007; --lite-mode is not used: it implies
# --jitless, which removes WebAssembly and so crashes global fetch). Keep in step with DOCKER_NODE_FLAGS.
# The mode (imds | queue) comes as the container argument.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=1", "--optimize-for-size", "--no-turbofan", "--no-maglev", "--no-sparkplug", "/app/spot-handler.mjs"]

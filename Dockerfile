# syntax=docker/dockerfile:1
# Multi-stage build: compile the AF_PACKET addon and the TypeScript in a full image, ship only the
# runtime pieces on a slim image of the same Node LTS (the addon is Node-API, but same major is simplest).
FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# node-gyp would otherwise try to download headers the image already ships (toolchain.md §2).
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
COPY native/binding.gyp native/*.c native/*.h ./native/
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/native/build/Release/ferrolb_packet.node ./native/build/Release/
COPY deploy/crds ./deploy/crds
# The `nobody` user, as MetalLB's images (D2); the speaker gets NET_RAW from its pod spec, not from root.
USER 65534:65534
ENTRYPOINT ["node", "/app/bin/ferrolb.js"]

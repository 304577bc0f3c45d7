# syntax=docker/dockerfile:1
# Multi-stage build: compile the AF_PACKET addon and the TypeScript in a full image, ship only the
# runtime pieces on Google's distroless Node image of the same major (glibc, libstdc++ and node:
# no shell, no package manager, no iproute2 — the daemons spawn nothing; docs/image.md).
# Node 20 in both stages: the major the tests run on (the addon is Node-API, same major is simplest).
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
# Only what runs ships: no dev dependencies, and no type declarations, source maps or docs from the
# runtime ones (about 11 MB, most of it @kubernetes/client-node's).
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts \
 && find node_modules dist \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \
      -o -name '*.md' -o -name '*.markdown' \) -type f -delete \
 && rm -rf node_modules/@types

FROM gcr.io/distroless/nodejs20-debian12
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/native/build/Release/ferrolb_packet.node ./native/build/Release/
COPY deploy/crds ./deploy/crds
# The `nobody` user, as MetalLB's images (D2): the controller runs so. The speaker's pod spec sets
# uid 0 with NET_RAW only (a non-root process gets no effective capability from `capabilities.add`).
USER 65534:65534
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/ferrolb.js"]

# syntax=docker/dockerfile:1
#
# One image recipe for all five services and the web console. Pick the service (and the port it
# listens on) with build arguments:
#
#   docker build --build-arg SERVICE=auth --build-arg HTTP_PORT=3001 -t conveyor-auth .
#   docker run conveyor-auth                       # runs the service
#   docker run conveyor-auth node main.js migrate  # applies its migrations, then exits
#
# The build stage compiles the service and the libraries it imports (tsc, then tsc-alias turns
# the @conveyor/* paths into relative requires); the runtime stage holds that output and the
# production dependencies only.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
ARG SERVICE
# Fail early, with a readable message, on a missing or misspelt service name.
RUN case "${SERVICE}" in \
      auth|user|billing|jobs|webhook-delivery|console) ;; \
      *) echo "build argument SERVICE must be one of: auth user billing jobs webhook-delivery console (got '${SERVICE}')" >&2; exit 1 ;; \
    esac
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
# Dependencies first, so the npm layer is reused until the lock file changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json nx.json ./
COPY libs ./libs
COPY services ./services
# The same commands as the project's `build` target (services/<name>/project.json); the
# console's static files go next to its compiled src/, where it looks for them.
RUN npx tsc -p "services/${SERVICE}/tsconfig.app.json" \
 && npx tsc-alias -p "services/${SERVICE}/tsconfig.app.json" \
 && if [ -d "services/${SERVICE}/public" ]; then cp -r "services/${SERVICE}/public" "dist/services/${SERVICE}/services/${SERVICE}/public"; fi \
 && test -f "dist/services/${SERVICE}/services/${SERVICE}/src/main.js"

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG HTTP_PORT
RUN case "${HTTP_PORT}" in \
      ''|*[!0-9]*) echo "build argument HTTP_PORT must be the service's port, e.g. 3001 (got '${HTTP_PORT}')" >&2; exit 1 ;; \
    esac
WORKDIR /app
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HTTP_PORT=${HTTP_PORT}
COPY package.json package-lock.json ./
# Production dependencies only; bcrypt ships prebuilt binaries, so no compiler is needed.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist/services/${SERVICE} ./dist/services/${SERVICE}
# A fixed entry point whatever the service: `node main.js` in exec form, so node is the process
# that receives SIGTERM and runs the graceful shutdown. Node follows the link to the real file,
# so the relative requires inside dist/ resolve as usual.
RUN ln -s "dist/services/${SERVICE}/services/${SERVICE}/src/main.js" main.js

USER node
EXPOSE ${HTTP_PORT}
# docker-compose.yml has its own health check; this one serves plain `docker run`.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.HTTP_PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "main.js"]

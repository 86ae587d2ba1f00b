# syntax=docker/dockerfile:1
#
# caisbot container image: a static binary on a distroless base.
#
#   docker build -t caisbot .
#   docker run --rm -p 3000:3000 --env-file deploy/.env caisbot
#
# The image runs as user 65532 (distroless "nonroot") and listens on port
# 3000 (CAIS_LISTEN_ADDR). GET /healthz says the process is alive and
# GET /readyz that Redis answers. The runtime image has no shell, so there
# is no HEALTHCHECK here: Kubernetes probes and external checks call those
# endpoints (see README.md, "Deploying"). deploy/dockerfile_test.go runs this
# file's `go build` command and starts the binary, so CI proves the build
# stage works even without a Docker engine.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so source edits do not invalidate the module layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0
# timetzdata embeds the zone database, so CAIS_TIMEZONE works on any base.
RUN go build -trimpath -tags timetzdata -ldflags "-s -w" -o /out/caisbot ./cmd/caisbot

# static-debian12 holds CA certificates (for Slack's HTTPS API and rediss://),
# tzdata, and /etc/passwd with the nonroot user; nothing else: no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/caisbot /caisbot
# Numeric, so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 3000
ENTRYPOINT ["/caisbot"]

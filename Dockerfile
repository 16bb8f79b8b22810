# syntax=docker/dockerfile:1
# QR Circles: a static binary on distroless, running as a non-root user.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t qrcircles .
#   docker run --rm -p 8080:8080 qrcircles            # development: SQLite in /var/lib/qrcircles
#
# Not exercised by the repository's tests or CI (see README.md).

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that editing the code does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
# The SQLite driver is pure Go, so the binary needs no C library and no CGO.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.Version=${VERSION}" \
      -o /out/qrcircles ./cmd/qrcircles \
 && mkdir -p /out/data

# distroless/static: CA certificates (Twilio, PostgreSQL over TLS), tzdata (circle time
# zones), /etc/passwd with the nonroot user (65532); no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/qrcircles /usr/local/bin/qrcircles
# The data folder holds the embedded SQLite database and the development secret; with
# PostgreSQL and QRC_SECRET set it stays empty.
COPY --from=build --chown=65532:65532 /out/data /var/lib/qrcircles
ENV QRC_DATA_DIR=/var/lib/qrcircles \
    QRC_LISTEN=:8080 \
    QRC_LOG_FORMAT=json
VOLUME /var/lib/qrcircles
USER 65532:65532
EXPOSE 8080
# No HEALTHCHECK: the image has no shell or curl. Probe over HTTP from the orchestrator or the
# load balancer instead: GET /healthz (alive) and GET /readyz (reaches the database).
# SIGTERM drains requests in flight for QRC_SHUTDOWN_TIMEOUT (20s); give the container longer.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/qrcircles"]
CMD ["serve"]

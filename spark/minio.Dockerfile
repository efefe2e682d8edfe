# The MinIO image of docker-compose.yml: the MinIO server at the module version pinned in spark/versions.env,
# on $BASE_IMAGE. ARTIFACTS as in spark/Dockerfile: download builds it from source at build time (MinIO
# publishes no Go module tags, hence the pseudo-version); local copies the binary `make setup` built.
# MinIO is AGPL-3.0 and runs as its own process; nothing links it.
ARG BASE_IMAGE=debian:bookworm-slim
ARG GO_IMAGE=golang:1.24-bookworm
ARG ARTIFACTS=download

FROM ${GO_IMAGE} AS artifacts-download
ARG MINIO_MODULE_VERSION
RUN CGO_ENABLED=0 GOBIN=/out go install "github.com/minio/minio@${MINIO_MODULE_VERSION}"

FROM scratch AS artifacts-local
COPY .stack/bin/minio /out/minio

FROM artifacts-${ARTIFACTS} AS binary

FROM ${BASE_IMAGE}
COPY --from=binary /out/minio /usr/local/bin/minio
COPY spark/minio-entrypoint.sh /usr/local/bin/
# No USER: the entrypoint starts as root only to read the root keys (compose secrets), then runs MinIO as minio.
RUN useradd --system --uid 1000 minio && mkdir -p /data && chown minio /data && chmod 755 /usr/local/bin/minio-entrypoint.sh
EXPOSE 9000 9001
ENTRYPOINT ["minio-entrypoint.sh"]

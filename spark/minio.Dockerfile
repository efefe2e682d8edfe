# The MinIO image of docker-compose.yml: the MinIO server at the module version pinned in spark/versions.env,
# on $BASE_IMAGE. ARTIFACTS as in spark/Dockerfile: download builds it from source at build time with the Go
# toolchain GO_VERSION, both from the Go module proxy (MinIO publishes no Go module tags, hence the
# pseudo-version); local copies the binary `make setup` built. MinIO is AGPL-3.0 and runs as its own process;
# nothing links it.
ARG BASE_IMAGE=debian:bookworm-slim
ARG ARTIFACTS=download

FROM ${BASE_IMAGE} AS artifacts-download
ARG MINIO_MODULE_VERSION GO_VERSION
ARG GOPROXY=https://proxy.golang.org
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl unzip
COPY spark/scripts/trust-host-ca.sh /build/
RUN --mount=type=secret,id=host-ca sh /build/trust-host-ca.sh
# The toolchain is the module the go command itself downloads when it switches versions (golang.org/toolchain).
RUN arch=$(dpkg --print-architecture) && toolchain="v0.0.1-go$GO_VERSION.linux-$arch" \
 && curl -fsSL "$GOPROXY/golang.org/toolchain/@v/$toolchain.zip" -o /build/go.zip \
 && unzip -q /build/go.zip -d /build && rm /build/go.zip && mv "/build/golang.org/toolchain@$toolchain" /usr/local/go \
 && chmod -R a+x /usr/local/go/bin /usr/local/go/pkg/tool
RUN CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN=/out /usr/local/go/bin/go install -trimpath "github.com/minio/minio@$MINIO_MODULE_VERSION" \
 && rm -rf /root/go /root/.cache

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

#!/usr/bin/env bash
# make setup: installs everything the project needs into the git-ignored .stack/ folder. Idempotent:
# each step checks a stamp of the pinned version first, so a second run downloads nothing.
# Every host needs Node.js, npm and curl. The local-process stack (STACK=local, and the test suites that run
# on it) also needs Java, Go, Python and Maven to install Spark and MinIO; on a Docker host without them
# (STACK=docker) the images bring Spark, the S3A jars and MinIO instead, and setup builds those images.
source "$(dirname "$0")/lib.sh"
mkdir -p "$STACK_HOME"/{dl,bin,run,logs}
started=$SECONDS

need() { # need COMMAND HINT
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed. $2"
}
need node "Install Node.js 20 or newer."
need npm "Install npm (it comes with Node.js)."
need curl "Install curl."

# Java 17+, Go, Python with pip and Maven: Spark (PyPI sdist + S3A jars) and MinIO (built from source) into .stack/.
install_local_stack() {
  need java "Install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)."
  java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ "${java_major:-0}" -ge 17 ] || fail "Java 17 or newer is required, found ${java_major:-none}. Install openjdk-17-jdk-headless."
  need go "Install Go 1.24 or newer (https://go.dev/dl or apt-get install golang); it builds MinIO from source."
  need python3 "Install Python 3 with pip (apt-get install python3-pip); pip downloads the Spark distribution."
  python3 -m pip --version >/dev/null 2>&1 || fail "pip is missing for python3. Install python3-pip."
  need mvn "Install Maven 3 (apt-get install maven); it resolves the S3A jars from Maven Central."

  # Apache Spark distribution, from the PyPI pyspark sdist (its deps/ folder is a full distribution).
  spark_stamp="spark-$SPARK_VERSION-s3a-$HADOOP_VERSION-$AWS_SDK_VERSION-$ANALYTICS_ACCELERATOR_VERSION-$SPARK_HADOOP_CLOUD_VERSION"
  if [ "$(cat "$SPARK_HOME/.stamp" 2>/dev/null)" != "$spark_stamp" ]; then
    sdist=$STACK_HOME/dl/pyspark-$SPARK_VERSION.tar.gz
    if [ ! -s "$sdist" ]; then
      say "spark: downloading pyspark $SPARK_VERSION (about 456 MB)"
      # pip runs the sdist's metadata step (a few seconds); we only unpack the archive, never install it.
      python3 -m pip download --quiet --no-deps --no-binary :all: "pyspark==$SPARK_VERSION" -d "$STACK_HOME/dl" \
        || fail "pip could not download pyspark==$SPARK_VERSION from PyPI (see above)"
    fi
    say "spark: unpacking the distribution"
    rm -rf "$SPARK_HOME" "$STACK_HOME/spark.tmp"
    mkdir -p "$STACK_HOME/spark.tmp"
    tar xzf "$sdist" -C "$STACK_HOME/spark.tmp" --strip-components=2 \
      "pyspark-$SPARK_VERSION/deps/jars" "pyspark-$SPARK_VERSION/deps/bin" "pyspark-$SPARK_VERSION/deps/sbin"
    say "spark: resolving the S3A jars from Maven Central"
    rm -rf "$STACK_HOME/s3a-jars"
    # netty, httpclient, commons and slf4j already ship (newer) in Spark's jars/: adding them would clash.
    mvn -q -B -f "$ROOT/spark/jars/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$STACK_HOME/s3a-jars" \
      -DexcludeGroupIds=io.netty,org.apache.httpcomponents,commons-codec,commons-logging,org.slf4j \
      -Dhadoop.version="$HADOOP_VERSION" -Daws.sdk.version="$AWS_SDK_VERSION" \
      -Danalytics.accelerator.version="$ANALYTICS_ACCELERATOR_VERSION" \
      -Dspark.hadoop.cloud.version="$SPARK_HADOOP_CLOUD_VERSION" -Dscala.binary="$SCALA_BINARY" \
      || fail "Maven could not resolve the S3A jars (see above); check that Maven Central is reachable"
    cp "$STACK_HOME"/s3a-jars/*.jar "$STACK_HOME/spark.tmp/jars/"
    echo "$spark_stamp" > "$STACK_HOME/spark.tmp/.stamp"
    mv "$STACK_HOME/spark.tmp" "$SPARK_HOME"
    rm -f "$STACK_HOME/proto.stamp"
  else
    say "spark: $SPARK_VERSION with S3A jars present"
  fi

  # MinIO server, built from source at the pinned module version (MinIO publishes no binaries to our registries).
  if [ "$(cat "$STACK_HOME/bin/minio.stamp" 2>/dev/null)" != "$MINIO_MODULE_VERSION" ] || [ ! -x "$MINIO_BIN" ]; then
    say "minio: building $MINIO_MODULE_VERSION from source (about 3 minutes cold)"
    GOPATH=$STACK_HOME/go GOMODCACHE=$STACK_HOME/go/mod GOCACHE=$STACK_HOME/go/cache GOBIN=$STACK_HOME/bin GOFLAGS=-modcacherw \
      go install "github.com/minio/minio@$MINIO_MODULE_VERSION" || fail "building MinIO failed (see above)"
    echo "$MINIO_MODULE_VERSION" > "$STACK_HOME/bin/minio.stamp"
  else
    say "minio: $MINIO_MODULE_VERSION present"
  fi
}

# 1. npm dependencies, reinstalled only when package-lock.json changed.
lock_sum=$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)
if [ "$(cat "$STACK_HOME/npm.stamp" 2>/dev/null)" != "$lock_sum" ] || [ ! -d "$ROOT/node_modules" ]; then
  say "npm: installing dependencies"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > "$STACK_HOME/npm.stamp"
else
  say "npm: up to date"
fi

# 2. Local credentials, each generated once when missing; owner-only, never committed, never on a command line
#    (printf is a shell builtin). MinIO's root keys (used by `make up` only), the pipeline's own MinIO user,
#    the Spark Connect token and Spark's RPC secret.
(
  umask 077
  touch "$CREDENTIALS_FILE" && chmod 600 "$CREDENTIALS_FILE"
  has() { grep -q "^$1=" "$CREDENTIALS_FILE"; }
  random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
  if has MINIO_ACCESS_KEY && ! has MINIO_ROOT_USER; then
    # Generated before the pipeline had a user of its own: those keys were MinIO's root, and its data knows them.
    sed -i 's/^MINIO_ACCESS_KEY=/MINIO_ROOT_USER=/; s/^MINIO_SECRET_KEY=/MINIO_ROOT_PASSWORD=/' "$CREDENTIALS_FILE"
  fi
  generated=()
  add() { has "$1" || { printf '%s=%s\n' "$1" "$2" >> "$CREDENTIALS_FILE"; generated+=("$1"); }; }
  add MINIO_ROOT_USER "root-$(random_hex 6)"
  add MINIO_ROOT_PASSWORD "$(random_hex 24)"
  add MINIO_ACCESS_KEY "fr24-$(random_hex 6)"
  add MINIO_SECRET_KEY "$(random_hex 24)"
  add SPARK_CONNECT_TOKEN "$(random_hex 32)"
  add SPARK_AUTHENTICATE_SECRET "$(random_hex 32)"
  [ ${#generated[@]} -eq 0 ] || say "credentials: generated ${generated[*]} into $CREDENTIALS_FILE (mode 600)"
)

# 3. The local-process stack: Spark and MinIO in .stack/, when it is the stack in use or this host has the tools
#    to install it (its test suites then run too).
load_settings
has_local_tools() {
  local tool
  for tool in java go python3 mvn; do command -v "$tool" >/dev/null 2>&1 || return 1; done
  python3 -m pip --version >/dev/null 2>&1
}
if [ "$STACK" = local ] || has_local_tools; then
  install_local_stack
else
  say "spark, minio: not installed in .stack/ (STACK=docker and no Java, Go, Python with pip and Maven here): the images bring them"
fi

# 4. Spark Connect protocol code, generated from the .proto files inside the installed Spark; without one, from
#    the Spark image (built now when missing: it is what `make up` starts).
[ -d "$SPARK_HOME/jars" ] || bash "$ROOT/spark/scripts/compose-stack.sh" images
(cd "$ROOT" && npm run --silent gen)

say "setup: done in $((SECONDS - started)) s"

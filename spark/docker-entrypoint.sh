#!/usr/bin/env bash
# Entry of the Spark image: master | worker | connect. Each renders its Spark configuration from the same
# templates as the local stack: spark-security.conf.template (spark.authenticate and its secret, no REST server,
# no UI kill) for all three, plus spark-defaults.conf.template for the Connect server. Secrets come from compose
# secrets (/run/secrets/*, files of the host user, owner-only there), never from the environment. The container
# starts as root for that one read only: the rendered file is spark's alone, in a tmpfs, and Spark itself runs as
# spark (uid 185) with every capability gone.
set -euo pipefail
bin=$SPARK_HOME/bin
run=/opt/flight-radar/run
conf=$run/spark.conf

render_conf() { # render_conf TEMPLATE...: the templates, rendered one after the other, into $conf (spark's, 0600)
  (umask 077 && for template; do /opt/flight-radar/bin/render-conf.sh "/opt/flight-radar/conf/$template"; done > "$conf.new")
  mv "$conf.new" "$conf"
  if [ "$(id -u)" = 0 ]; then chown spark: "$conf" "$run"; fi
}

as_spark() { # exec COMMAND as spark (when started as root: setuid drops every capability)
  if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=spark --regid=spark --clear-groups -- env HOME=/opt/spark "$@"; fi
  exec "$@"
}

case ${1:-} in
  master)
    render_conf spark-security.conf.template
    # The master advertises the name the others reach it by (spark://spark-master:7077), never 0.0.0.0.
    as_spark "$bin/spark-class" org.apache.spark.deploy.master.Master \
      --host "${SPARK_MASTER_HOST:-$(hostname)}" --port 7077 --webui-port 8080 --properties-file "$conf" ;;
  worker)
    render_conf spark-security.conf.template
    # Scaled workers have no service name of their own: each advertises its address on the compose network.
    # A worker hands the shared secret to its executors in their environment, never on a command line.
    as_spark "$bin/spark-class" org.apache.spark.deploy.worker.Worker --host "$(hostname -i | awk '{print $1}')" \
      --webui-port 8081 --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-4g}" \
      --properties-file "$conf" "$SPARK_MASTER_URL" ;;
  connect)
    render_conf spark-security.conf.template spark-defaults.conf.template
    as_spark "$bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
      --name "Spark Connect server" --properties-file "$conf" spark-internal ;;
  *)
    echo "usage: docker-entrypoint.sh master|worker|connect" >&2; exit 2 ;;
esac

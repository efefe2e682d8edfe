#!/usr/bin/env bash
# Entry of the Spark image: master | worker | connect. The Connect server gets its configuration from the
# same template as the local stack, rendered from this container's environment.
set -euo pipefail
bin=$SPARK_HOME/bin
case ${1:-} in
  master)
    exec "$bin/spark-class" org.apache.spark.deploy.master.Master --host 0.0.0.0 --port 7077 --webui-port 8080 ;;
  worker)
    exec "$bin/spark-class" org.apache.spark.deploy.worker.Worker --webui-port 8081 \
      --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-4g}" "$SPARK_MASTER_URL" ;;
  connect)
    conf=/opt/flight-radar/run/spark-defaults.conf
    /opt/flight-radar/bin/render-conf.sh /opt/flight-radar/conf/spark-defaults.conf.template > "$conf"
    exec "$bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
      --name "Spark Connect server" --properties-file "$conf" spark-internal ;;
  *)
    echo "usage: docker-entrypoint.sh master|worker|connect" >&2; exit 2 ;;
esac

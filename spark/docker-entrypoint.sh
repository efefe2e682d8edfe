#!/usr/bin/env bash
# Entry of the Spark image: master | worker | connect. The Connect server gets its configuration from the
# same template as the local stack, rendered from this container's environment.
set -euo pipefail
bin=$SPARK_HOME/bin
case ${1:-} in
  master)
    # The master advertises the name the others reach it by (spark://spark-master:7077), never 0.0.0.0.
    exec "$bin/spark-class" org.apache.spark.deploy.master.Master \
      --host "${SPARK_MASTER_HOST:-$(hostname)}" --port 7077 --webui-port 8080 ;;
  worker)
    # Scaled workers have no service name of their own: each advertises its address on the compose network.
    exec "$bin/spark-class" org.apache.spark.deploy.worker.Worker --host "$(hostname -i | awk '{print $1}')" \
      --webui-port 8081 --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-4g}" "$SPARK_MASTER_URL" ;;
  connect)
    conf=/opt/flight-radar/run/spark-defaults.conf
    (umask 077 && /opt/flight-radar/bin/render-conf.sh /opt/flight-radar/conf/spark-defaults.conf.template > "$conf")
    exec "$bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
      --name "Spark Connect server" --properties-file "$conf" spark-internal ;;
  *)
    echo "usage: docker-entrypoint.sh master|worker|connect" >&2; exit 2 ;;
esac

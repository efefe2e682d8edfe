#!/usr/bin/env bash
# render-conf.sh TEMPLATE: prints TEMPLATE with every ${NAME} replaced by the environment's NAME, or else by the
# content of the compose secret $SECRETS_DIR/name (default /run/secrets; the name in lower case with dashes, as
# driver/stack-files.ts writes them: SPARK_CONNECT_TOKEN -> spark-connect-token), escaped for a
# Java properties file (what Spark's --properties-file reads), so the value Spark sees is the value byte for byte.
# The container's renderer (spark/docker-entrypoint.sh, no Node there); the local stack renders the same
# templates in driver/stack-files.ts. A placeholder without a value is an error: a half-configured cluster
# never starts. Each line is consumed left to right and a value is never scanned again, so it always ends.
set -euo pipefail
# bash 5.2 makes & in a ${x//pattern/replacement} stand for the match: a value's & must stay an &.
shopt -u patsub_replacement 2>/dev/null || true
missing=()
escape() { # the properties escapes of a value: \ doubled, line breaks and tabs spelled, a leading blank kept
  local v=${1//\\/\\\\}
  v=${v//$'\n'/\\n}; v=${v//$'\r'/\\r}; v=${v//$'\t'/\\t}; v=${v//$'\f'/\\f}
  [[ $v != ' '* ]] || v="\\$v"
  printf '%s' "$v"
}
value_of() { # value_of NAME: v=its value, from the environment, else from its secret file (no line break in a secret)
  local file=${1,,}
  file=${SECRETS_DIR:-/run/secrets}/${file//_/-}
  v=${!1:-}
  if [ -z "$v" ] && [ -f "$file" ]; then v=$(< "$file"); fi
}
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ ^[[:space:]]*# ]]; then printf '%s\n' "$line"; continue; fi
  out='' rest=$line
  while [[ $rest =~ \$\{([A-Z0-9_]+)\} ]]; do
    name=${BASH_REMATCH[1]}
    out+=${rest%%"${BASH_REMATCH[0]}"*}
    rest=${rest#*"${BASH_REMATCH[0]}"}
    value_of "$name"
    if [ -z "$v" ]; then missing+=("$name"); else out+=$(escape "$v"); fi
  done
  printf '%s\n' "$out$rest"
done < "$1"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'render-conf: no value for %s\n' "$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
  exit 1
fi

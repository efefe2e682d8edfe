#!/usr/bin/env bash
# render-conf.sh TEMPLATE: prints TEMPLATE with every ${NAME} replaced by the environment's NAME;
# a placeholder without a value is an error, so a half-configured cluster never starts.
set -euo pipefail
missing=()
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ ^[[:space:]]*# ]]; then printf '%s\n' "$line"; continue; fi
  while [[ $line =~ \$\{([A-Z0-9_]+)\} ]]; do
    name=${BASH_REMATCH[1]}
    if [ -z "${!name:-}" ]; then missing+=("$name"); value=""; else value=${!name}; fi
    line=${line//\$\{$name\}/$value}
  done
  printf '%s\n' "$line"
done < "$1"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'render-conf: no value for %s\n' "$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
  exit 1
fi

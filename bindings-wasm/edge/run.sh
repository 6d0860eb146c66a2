node "$(dirname "$0")/run.mjs" "$1"

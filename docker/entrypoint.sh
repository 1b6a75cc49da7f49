#!/bin/sh
# Entry point of the MKR image: refuse to start without the settings a deployment must give
# (the embedded defaults are for ./demo.sh only), then run the command.
set -eu
missing=""
for var in SECRET_KEY DATABASE_URL CELERY_BROKER_URL; do
    eval "value=\${$var:-}"
    [ -n "$value" ] || missing="$missing $var"
done
if [ -n "$missing" ]; then
    echo "mkr: set these variables (e.g. in .env next to docker-compose.yml):$missing" >&2
    echo "mkr: SECRET_KEY: at least 32 characters, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'" >&2
    exit 64
fi
exec "$@"

#!/usr/bin/env bash
# Render a self-contained nginx prefix that serves nginx/topicmap.conf in front of a local API:
#   scripts/nginx-local.sh PREFIX LISTEN API_ADDRESS
# then run `nginx -p PREFIX -c PREFIX/nginx.conf -g 'daemon off;'`. Used by `make run` and the tests:
# no root needed (a high port, pid, logs and temp files under PREFIX), the same server block as production.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 PREFIX LISTEN API_ADDRESS   (e.g. .run/nginx 127.0.0.1:8080 127.0.0.1:8000)"; exit 2; }
prefix=$(mkdir -p "$1" && cd "$1" && pwd)
listen=$2
api=$3
root=$(cd "$(dirname "$0")/.." && pwd)

for sub in body proxy fastcgi uwsgi scgi; do mkdir -p "$prefix/$sub"; done
sed "s|^    listen 80;|    listen $listen;|" "$root/nginx/topicmap.conf" > "$prefix/topicmap.conf"
grep -q "^    listen $listen;" "$prefix/topicmap.conf" || { echo "nginx/topicmap.conf has no 'listen 80;' line"; exit 1; }
sed "s|127.0.0.1:8000|$api|" "$root/nginx/upstream.host.conf" > "$prefix/upstream.conf"
mime=/etc/nginx/mime.types
[ -f "$mime" ] || mime="$prefix/mime.types"
[ -f "$mime" ] || printf 'types { text/html html; text/css css; application/javascript js; application/json json; }\n' > "$mime"
# As root, workers keep this user (the prefix may be private to it); otherwise nginx ignores `user`.
user=""
[ "$(id -u)" = 0 ] && user="user $(id -un);"
cat > "$prefix/nginx.conf" <<CONF
$user
worker_processes auto;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events { worker_connections 4096; }
http {
    include $mime;
    default_type application/octet-stream;
    access_log $prefix/access.log;
    sendfile on;
    keepalive_timeout 65s;
    client_body_temp_path $prefix/body;
    proxy_temp_path $prefix/proxy;
    fastcgi_temp_path $prefix/fastcgi;
    uwsgi_temp_path $prefix/uwsgi;
    scgi_temp_path $prefix/scgi;
    include $prefix/upstream.conf;
    include $prefix/topicmap.conf;
}
CONF

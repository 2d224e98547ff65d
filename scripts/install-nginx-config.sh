#!/usr/bin/env bash
# `make install_nginx_config`: put topicmap behind the host's own nginx (Debian/Ubuntu packaging as shipped).
#
# - Writes conf.d/topicmap-upstream.conf and conf.d/topicmap.conf (the stock nginx.conf includes conf.d/*.conf).
# - Debian's enabled `default` site is the default server on the same port and would receive every
#   request. When sites-enabled/default is the package's own symlink, it is removed (the site itself
#   stays in sites-available/, and the script prints how to re-enable it). A default site the operator
#   wrote (a regular file) is never touched: the script stops and says what to do instead. With
#   NGINX_SERVER_NAME set to a real host name, the default site is left alone (name-based routing).
# - Runs `nginx -t`; on failure everything it changed is put back. Then reloads nginx when it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

NGINX_DIR=${NGINX_DIR:-/etc/nginx}
NGINX_CONF_DIR=${NGINX_CONF_DIR:-$NGINX_DIR/conf.d}
NGINX_LISTEN=${NGINX_LISTEN:-80}
NGINX_SERVER_NAME=${NGINX_SERVER_NAME:-_}
API_UPSTREAM=${API_UPSTREAM:-127.0.0.1:8000}
read -r -a NGINX <<< "${NGINX:-nginx}"   # e.g. NGINX="nginx -p /tmp/x -c /tmp/x/nginx.conf"

say() { echo "install_nginx_config: $*"; }

[ -d "$NGINX_CONF_DIR" ] || { say "no $NGINX_CONF_DIR: is nginx installed? (apt-get install nginx)"; exit 1; }
[[ "$NGINX_LISTEN" =~ ^([0-9.]+:|\[[0-9a-f:]+\]:)?[0-9]+$ ]] || { say "NGINX_LISTEN must be a port or address:port"; exit 1; }
[[ "$NGINX_SERVER_NAME" =~ ^[A-Za-z0-9._*-]+( [A-Za-z0-9._*-]+)*$ ]] || { say "NGINX_SERVER_NAME: host names only"; exit 1; }
[[ "$API_UPSTREAM" =~ ^[][A-Za-z0-9.:_-]+$ ]] || { say "API_UPSTREAM must be host:port"; exit 1; }

site="$NGINX_DIR/sites-enabled/default"
disabled_default=""
if [ -e "$site" ] || [ -L "$site" ]; then
  if [ "$NGINX_SERVER_NAME" != "_" ]; then
    : # a named server: the default site keeps the requests for other names
  elif [ -L "$site" ] && [ "$(readlink -f "$site")" = "$(readlink -f "$NGINX_DIR/sites-available/default")" ]; then
    disabled_default=$(readlink "$site")
    rm "$site"
    say "disabled Debian's default site: removed the link $site (the site stays in $NGINX_DIR/sites-available/default;"
    say "  to re-enable it: ln -s $disabled_default $site, then set NGINX_SERVER_NAME for topicmap)"
  else
    say "$site is a site of your own and would take the requests meant for topicmap."
    say "  Disable it, or give topicmap a host name (make install_nginx_config NGINX_SERVER_NAME=maps.example.org),"
    say "  or another port (NGINX_LISTEN=8080). Nothing was changed."
    exit 1
  fi
fi

upstream_conf="$NGINX_CONF_DIR/topicmap-upstream.conf"
server_conf="$NGINX_CONF_DIR/topicmap.conf"
backup=$(mktemp -d)
trap 'rm -rf "$backup"' EXIT
for f in "$upstream_conf" "$server_conf"; do [ -e "$f" ] && cp -p "$f" "$backup/"; done

sed "s|127.0.0.1:8000|$API_UPSTREAM|" nginx/upstream.host.conf > "$upstream_conf"
sed -e "s|^    listen 80;|    listen $NGINX_LISTEN;|" -e "s|^    server_name _;|    server_name $NGINX_SERVER_NAME;|" \
  nginx/topicmap.conf > "$server_conf"
chmod 644 "$upstream_conf" "$server_conf"

if ! "${NGINX[@]}" -t; then
  say "nginx -t failed: putting everything back as it was"
  rm -f "$upstream_conf" "$server_conf"
  for f in "$backup"/*; do [ -e "$f" ] && cp -p "$f" "$NGINX_CONF_DIR/"; done
  [ -n "$disabled_default" ] && ln -s "$disabled_default" "$site"
  exit 1
fi

if "${NGINX[@]}" -s reload 2>/dev/null; then
  say "nginx reloaded: topicmap answers on port ${NGINX_LISTEN##*:} (API upstream $API_UPSTREAM)"
elif command -v systemctl >/dev/null && systemctl reload nginx 2>/dev/null; then
  say "nginx reloaded (systemctl): topicmap answers on port ${NGINX_LISTEN##*:}"
else
  say "configuration installed; nginx is not running: start it (systemctl start nginx)"
fi

#!/usr/bin/env bash
# undo-certificate: HTTPS off (the site back to plain HTTP), then the certificate, its renewal
# settings and the ACME server's CA deleted from certbot, as `pulumi destroy` does on a server
# the stack did not create. certbot stays installed, with the distribution's timer.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_CERT_NAME HBNB_ACME_WEBROOT HBNB_TLS_LIVE_DIR

if [[ -d $HBNB_TLS_LIVE_DIR ]]; then
  rm -rf "$HBNB_TLS_LIVE_DIR"
  changed "removed $HBNB_TLS_LIVE_DIR: HTTPS off"
  if systemctl is-active -q nginx && nginx -t >/dev/null 2>&1; then systemctl reload nginx; fi
fi
if [[ -f /etc/letsencrypt/renewal/$HBNB_CERT_NAME.conf ]]; then
  certbot delete --non-interactive --cert-name "$HBNB_CERT_NAME" >/dev/null 2>&1
  changed "deleted certificate $HBNB_CERT_NAME and its renewal"
fi
for file in "/etc/letsencrypt/$HBNB_CERT_NAME-acme-ca.pem" "/etc/systemd/system/certbot.service.d/$HBNB_CERT_NAME-acme-ca.conf"; do
  if [[ -f $file ]]; then
    rm -f "$file"
    changed "removed $file"
  fi
done
if [[ -d $HBNB_ACME_WEBROOT ]]; then
  rm -rf "$HBNB_ACME_WEBROOT"
  changed "removed $HBNB_ACME_WEBROOT"
fi
finish

#!/usr/bin/env bash
# certificate: gets the server's certificate from the ACME server with certbot (the
# distribution's package) over HTTP-01, through the running Nginx: certbot's webroot plugin
# writes each challenge's file into HBNB_ACME_WEBROOT, which the site serves at
# /.well-known/acme-challenge/ on port 80 (files/nginx/guards.conf.njk). Nothing stops, nothing
# else binds port 80. Only once the certificate exists does HTTPS go live: the port 443
# listeners, the TLS settings and the redirect of plain HTTP are linked into HBNB_TLS_LIVE_DIR,
# checked by `nginx -t`, and applied by a graceful reload. A refused certificate stops the
# deploy with the names and the ACME server's error, and Nginx keeps serving what it served.
# Renewals: certbot's own timer, and a deploy hook that reloads Nginx.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_DOMAINS HBNB_ACME_EMAIL HBNB_ACME_SERVER HBNB_CERT_NAME HBNB_ACME_WEBROOT HBNB_TLS_LIVE_DIR HBNB_TLS_SNIPPET

live=/etc/letsencrypt/live/$HBNB_CERT_NAME
renewal=/etc/letsencrypt/renewal/$HBNB_CERT_NAME.conf
# A private ACME CA's root (acmeCaBundle): certbot's HTTP library (requests) trusts the file
# REQUESTS_CA_BUNDLE names instead of the system's CAs, in this run and in the timer's renewals.
ca_file=/etc/letsencrypt/$HBNB_CERT_NAME-acme-ca.pem
ca_dropin=/etc/systemd/system/certbot.service.d/$HBNB_CERT_NAME-acme-ca.conf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The certificate's SHA-256 fingerprint, or nothing when there is none yet.
fingerprint() {
  [[ -f $live/cert.pem ]] || return 0
  openssl x509 -noout -fingerprint -sha256 -in "$live/cert.pem"
}

# What certbot said, without its boilerplate: the ACME server's problem for each name
# ("Domain: ... Type: ... Detail: ...") or the error that stopped it, on one line.
acme_error() {
  grep -v -e '^Saving debug log' -e '^Requesting a certificate' -e '^Ask for help' -e '^Hint:' -e '^\s*$' <<<"$1" |
    tr -s ' ' | sed 's/^ //' | paste -sd' ' -
}

trust_acme_ca() {
  if [[ -n ${HBNB_ACME_CA_BUNDLE:-} ]]; then
    printf '%s' "$HBNB_ACME_CA_BUNDLE" >"$work/ca.pem"
    install_file "$work/ca.pem" "$ca_file" root:root 0644 || true
    printf '# Written by hbnb-stack: certbot trusts the ACME server of acmeCaBundle.\n[Service]\nEnvironment=REQUESTS_CA_BUNDLE=%s\n' "$ca_file" >"$work/dropin"
    if install_file "$work/dropin" "$ca_dropin" root:root 0644; then systemctl daemon-reload; fi
    export REQUESTS_CA_BUNDLE=$ca_file
  elif [[ -f $ca_file || -f $ca_dropin ]]; then
    rm -f "$ca_file" "$ca_dropin"
    systemctl daemon-reload
    changed "removed $ca_file and $ca_dropin (no acmeCaBundle)"
  fi
}

obtain() {
  local before out args=(
    certonly --non-interactive --agree-tos --email "$HBNB_ACME_EMAIL" --server "$HBNB_ACME_SERVER"
    --webroot --webroot-path "$HBNB_ACME_WEBROOT" --cert-name "$HBNB_CERT_NAME" --key-type ecdsa
    # A certificate that is there for the same names and not due is kept (no request at all).
    --keep-until-expiring
    # Stored in the certificate's renewal settings: after every renewal, Nginx reads the new
    # files by a graceful reload (old workers finish their requests).
    --deploy-hook "systemctl reload nginx"
  )
  local name
  for name in $HBNB_DOMAINS; do args+=(--domain "$name"); done
  # Another ACME server (staging, then production): a certificate of the new one, now, even if
  # the old one's is not due.
  if [[ -f $renewal ]] && ! grep -qxF "server = $HBNB_ACME_SERVER" "$renewal"; then args+=(--force-renewal); fi
  before=$(fingerprint)
  if ! out=$(certbot "${args[@]}" 2>&1); then
    die "no certificate for ${HBNB_DOMAINS// /, } from $HBNB_ACME_SERVER; Nginx serves what it served (plain HTTP until a certificate exists). certbot: $(acme_error "$out")"
  fi
  [[ $(fingerprint) == "$before" ]] || changed "certificate for ${HBNB_DOMAINS// /, } from $HBNB_ACME_SERVER ($live)"
}

# certbot's timer (the package's) runs `certbot -q renew` twice a day; a certificate is renewed
# in its last 30 days. A failed renewal leaves the certificate in place and logs to the journal.
renew_timer() {
  if ! systemctl is-enabled -q certbot.timer || ! systemctl is-active -q certbot.timer; then
    systemctl enable --now certbot.timer
    changed "enabled certbot.timer"
  fi
}

# The files that make HTTPS live, written to $work/live: the listeners in the syntax of this
# Nginx, the TLS settings, and OCSP stapling where the certificate names a responder.
live_files() {
  local version
  mkdir "$work/live"
  version=$(nginx -v 2>&1 | sed -n 's|^nginx version: nginx/\([0-9.]*\).*|\1|p')
  {
    echo "# HTTPS listeners of the site (nginx $version), written by hbnb-stack's certificate step."
    if dpkg --compare-versions "$version" ge 1.25.1; then
      echo "# HTTP/2 is its own directive from Nginx 1.25.1 on (listen's http2 is deprecated)."
      printf 'listen 443 ssl;\nlisten [::]:443 ssl;\nhttp2 on;\n'
    else
      echo "# HTTP/2 is a parameter of listen before Nginx 1.25.1 (Ubuntu 22.04, 24.04, Debian 12)."
      printf 'listen 443 ssl http2;\nlisten [::]:443 ssl http2;\n'
    fi
  } >"$work/live/listen.conf"
  ln -s "$HBNB_TLS_SNIPPET" "$work/live/tls.conf"
  # Let's Encrypt ended OCSP in 2025 (its certificates name no responder since May, the
  # responders stopped in August): stapling is for a CA that still offers it.
  if [[ -n $(openssl x509 -noout -ocsp_uri -in "$live/cert.pem") ]]; then
    cat >"$work/live/stapling.conf" <<STAPLING
# OCSP stapling, written by hbnb-stack's certificate step: the certificate names an OCSP
# responder. Nginx fetches the CA's signed "not revoked" and sends it in the handshake, so the
# client need not ask the CA (faster, and the CA learns nothing of the visit).
ssl_stapling on;
# The response is checked against the CA's chain before it is sent.
ssl_stapling_verify on;
ssl_trusted_certificate $live/chain.pem;
STAPLING
  fi
}

# Puts $work/live in place of HBNB_TLS_LIVE_DIR when it differs; Nginx checks it and reloads.
go_live() {
  local out
  if [[ -d $HBNB_TLS_LIVE_DIR ]] && diff -r --no-dereference "$work/live" "$HBNB_TLS_LIVE_DIR" >/dev/null 2>&1; then return 0; fi
  rm -rf "$work/before"
  [[ ! -d $HBNB_TLS_LIVE_DIR ]] || cp -a "$HBNB_TLS_LIVE_DIR" "$work/before"
  rm -rf "$HBNB_TLS_LIVE_DIR"
  cp -a "$work/live" "$HBNB_TLS_LIVE_DIR"
  chmod 0755 "$HBNB_TLS_LIVE_DIR"
  if ! out=$(nginx -t 2>&1); then
    rm -rf "$HBNB_TLS_LIVE_DIR"
    if [[ -d $work/before ]]; then cp -a "$work/before" "$HBNB_TLS_LIVE_DIR"; else mkdir -m 0755 "$HBNB_TLS_LIVE_DIR"; fi
    die "nginx -t rejected the HTTPS settings, which were taken out again; Nginx serves what it served: $out"
  fi
  systemctl reload nginx
  changed "HTTPS live: $(cd "$HBNB_TLS_LIVE_DIR" && echo *.conf) in $HBNB_TLS_LIVE_DIR; Nginx reloaded"
}

ensure_dir "$HBNB_ACME_WEBROOT" root:root 0755
trust_acme_ca
obtain
renew_timer
live_files
go_live
finish

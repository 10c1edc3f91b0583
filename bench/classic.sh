#!/usr/bin/env bash
# The classic tutorial setup of the HBnB app, the yardstick of `npm run bench`: what a student
# builds by hand following the usual "Flask with Gunicorn and Nginx" tutorial (DigitalOcean's,
# Holberton's AirBnB_clone_v4 deploy task). Deliberately NOT tuned and NOT hardened: no
# sandboxing, no static location, the distribution's defaults everywhere. Only what the
# benchmark needs besides the tutorial (unattended apt, the sqlite database) is added.
#
# Run on a fresh local server as root: sudo CLASSIC_ARCHIVE=/tmp/x.tar.gz bash -s < classic.sh
#   CLASSIC_ARCHIVE   the release archive of core/bundle.ts (the same app the stack deploys)
#   CLASSIC_USER      the login user the tutorial runs the app as (default: admin)
# Prints "classic: ready" once the page answers through Nginx.
set -euo pipefail

: "${CLASSIC_ARCHIVE:?the release archive to unpack}"
user=${CLASSIC_USER:-admin}
home=$(getent passwd "$user" | cut -d: -f6)
# The tutorial's project directory, in the user's home.
project=$home/AirBnB_clone
socket=$project/hbnb.sock

say() { printf 'classic: %s\n' "$*"; }

# 1. Packages, the tutorial's way (here from Debian's archive rather than pip in a virtualenv:
#    the same versions the stack installs, so the comparison is about the setup only).
export DEBIAN_FRONTEND=noninteractive
apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null
apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
  nginx gunicorn python3-flask python3-flask-cors python3-sqlalchemy curl >/dev/null
say "packages installed"

# 2. The app, unpacked into the project directory and owned by the login user.
install -d -o "$user" -g "$user" "$project"
tar -xzf "$CLASSIC_ARCHIVE" -C "$project" --no-same-owner
chown -R "$user:$user" "$project"
# Nginx (www-data) must traverse the home directory to reach the socket inside it.
chmod 755 "$home"
rm -f "$CLASSIC_ARCHIVE"

# 3. The database: an sqlite file in the project, loaded with the demo data.
db_url="sqlite:///$project/hbnb.db"
(cd "$project" && sudo -u "$user" env HBNB_DATABASE_URL="$db_url" python3 -m hbnb.seed)

# 4. The tutorial's unit: 3 sync workers on a socket in the project, group www-data so Nginx
#    can connect, umask 007 (-m 007); no sandboxing, no reload command, no log settings.
cat >/etc/systemd/system/hbnb-classic.service <<EOF
[Unit]
Description=Gunicorn instance to serve AirBnB_clone
After=network.target

[Service]
User=$user
Group=www-data
WorkingDirectory=$project
Environment="HBNB_DATABASE_URL=$db_url"
ExecStart=/usr/bin/gunicorn --workers 3 --bind unix:$socket -m 007 hbnb.wsgi:app

[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload
systemctl enable -q --now hbnb-classic
say "gunicorn started"

# 5. The tutorial's site: everything to the socket with `include proxy_params`, no /static/
#    location, so Flask serves the static files itself through a Gunicorn worker.
cat >/etc/nginx/sites-available/AirBnB_clone <<EOF
server {
    listen 80;
    server_name _;

    location / {
        include proxy_params;
        proxy_pass http://unix:$socket;
    }
}
EOF
ln -sfn /etc/nginx/sites-available/AirBnB_clone /etc/nginx/sites-enabled/
rm -f /etc/nginx/sites-enabled/default
nginx -t 2>/dev/null
systemctl restart nginx

for _ in $(seq 100); do
  if curl -fsS -o /dev/null http://127.0.0.1/; then
    say ready
    exit 0
  fi
  sleep 0.2
done
say "error: the page does not answer through Nginx" >&2
journalctl -u hbnb-classic -n 20 --no-pager >&2
exit 1

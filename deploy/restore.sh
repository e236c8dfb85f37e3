#!/bin/sh
# Restore a backup made by backup.sh into an EMPTY database and media folder:
#   createdb cpd
#   set -a; . /etc/cpd/env; set +a
#   /srv/cpd/deploy/restore.sh /var/backups/cpd/cpd-STAMP.dump /var/backups/cpd/media-STAMP.tgz
# then run the release step (deploy/release.sh) and start the services.
set -eu
: "${DATABASE_URL:?set DATABASE_URL}" "${DJANGO_MEDIA_ROOT:?set DJANGO_MEDIA_ROOT}"
dump=${1:?usage: restore.sh DUMP MEDIA_TGZ}
media=${2:?usage: restore.sh DUMP MEDIA_TGZ}
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$dump"
mkdir -p "$DJANGO_MEDIA_ROOT"
tar -C "$DJANGO_MEDIA_ROOT" -xzf "$media"
echo "restored $dump and $media"

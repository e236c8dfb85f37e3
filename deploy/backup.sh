#!/bin/sh
# Back up the platform: the database (pg_dump custom format) and the media folder,
# keeping KEEP_DAYS days. Run nightly as the cpd user (cron or a systemd timer):
#   set -a; . /etc/cpd/env; set +a; /srv/cpd/deploy/backup.sh
# Prints the two files it wrote. Redis holds nothing that must survive.
set -eu
: "${DATABASE_URL:?set DATABASE_URL}" "${DJANGO_MEDIA_ROOT:?set DJANGO_MEDIA_ROOT}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/cpd}
KEEP_DAYS=${KEEP_DAYS:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
pg_dump --format=custom --no-owner --file="$BACKUP_DIR/cpd-$stamp.dump" "$DATABASE_URL"
mkdir -p "$DJANGO_MEDIA_ROOT"
tar -C "$DJANGO_MEDIA_ROOT" -czf "$BACKUP_DIR/media-$stamp.tgz" .
find "$BACKUP_DIR" -name 'cpd-*.dump' -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR" -name 'media-*.tgz' -mtime +"$KEEP_DAYS" -delete
echo "$BACKUP_DIR/cpd-$stamp.dump"
echo "$BACKUP_DIR/media-$stamp.tgz"

#!/usr/bin/env bash
# Back up and restore the register: the PostgreSQL database (issued letters' PDFs are in
# it, with their SHA-256) and the media files (uploaded attachments and datasets).
#
#   deploy/backup.sh backup DIR
#       DIR/database.dump   pg_dump's custom format of $DATABASE_URL
#       DIR/media.tar.gz    everything under $MEDIA_ROOT
#       DIR/SHA256SUMS      checksums of both, checked before a restore
#   deploy/backup.sh restore DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT
#       into an EMPTY database (createdb it first) and an empty media folder; stop the web,
#       worker and beat first, or restore beside the live database and switch over.
#
# docs/deployment.md describes the routine (nightly, kept off the machine, tried monthly).
set -euo pipefail

die() { echo "backup.sh: $*" >&2; exit 1; }

backup() {
  local dir="${1:?backup DIR}"
  : "${DATABASE_URL:?set DATABASE_URL}"
  local media="${MEDIA_ROOT:-var/media}"
  mkdir -p "$dir"
  pg_dump --format=custom --no-owner --no-acl --file="$dir/database.dump" "$DATABASE_URL"
  if [ -d "$media" ]; then
    tar -C "$media" -czf "$dir/media.tar.gz" .
  else
    tar -czf "$dir/media.tar.gz" -T /dev/null
  fi
  (cd "$dir" && sha256sum database.dump media.tar.gz >SHA256SUMS)
  echo "backup.sh: wrote $dir/database.dump, $dir/media.tar.gz" >&2
}

restore() {
  local dir="${1:?restore DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT}"
  local target="${2:?restore DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT}"
  local media="${3:?restore DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT}"
  (cd "$dir" && sha256sum --quiet --check SHA256SUMS) || die "$dir: checksums do not match"
  local tables
  tables="$(psql "$target" -Atc "select count(*) from pg_tables where schemaname = 'public'")"
  [ "$tables" = "0" ] || die "the target database is not empty ($tables tables)"
  pg_restore --no-owner --no-acl --exit-on-error --dbname="$target" "$dir/database.dump"
  mkdir -p "$media"
  tar -C "$media" -xzf "$dir/media.tar.gz"
  echo "backup.sh: restored into $target and $media" >&2
}

cmd="${1:-}"
shift || true
case "$cmd" in
  backup | restore) "$cmd" "$@" ;;
  *) echo "usage: $0 backup DIR | restore DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT" >&2; exit 2 ;;
esac

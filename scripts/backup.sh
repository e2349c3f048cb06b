#!/usr/bin/env bash
# Nightly backup of the 有你泰好 portal: database dump + media archive + manifest with checksums.
# Usage: scripts/backup.sh [BACKUP_DIR]     (run by deploy/systemd/teda-portal-backup.timer)
# Environment: the portal's own (/etc/teda-portal/env), plus optional
#   BACKUP_DIR (default /var/backups/teda-portal), BACKUP_KEEP_DAYS (default 14),
#   BACKUP_RSYNC_TARGET (e.g. backup@nas.internal:/srv/backups/teda-portal) for an off-site copy.
set -euo pipefail
APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
BACKUP_DIR="${1:-${BACKUP_DIR:-/var/backups/teda-portal}}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
PYTHON="${PYTHON:-$APP_DIR/.venv/bin/python}"

mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"   # dumps contain personal data
umask 077
cd "$APP_DIR"
"$PYTHON" manage.py backup_portal --output "$BACKUP_DIR" --keep-days "$KEEP_DAYS"

if [[ -n "${BACKUP_RSYNC_TARGET:-}" ]]; then
  rsync -a --delete --exclude '*.partial' "$BACKUP_DIR/" "$BACKUP_RSYNC_TARGET/"
fi

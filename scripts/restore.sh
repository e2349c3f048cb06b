#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and the media folder.
# Usage: scripts/restore.sh BACKUP_FOLDER [DATABASE_URL]
#   DATABASE_URL defaults to the portal's own; it must point to an empty database
#   (PostgreSQL: createdb -O teda teda_portal_restored; SQLite: a new file name).
# Stop the web and worker services first when restoring over the live installation.
set -euo pipefail
APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$APP_DIR/.venv/bin/python}"
if [[ $# -lt 1 ]]; then
  echo "用法: $0 备份目录 [DATABASE_URL]" >&2
  exit 2
fi
BACKUP="$(cd "$1" && pwd)"
cd "$APP_DIR"
args=("$BACKUP")
if [[ $# -ge 2 ]]; then
  args+=(--database-url "$2")
fi
"$PYTHON" manage.py restore_portal "${args[@]}"

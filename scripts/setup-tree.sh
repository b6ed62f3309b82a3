#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Create build/linux: a git tree whose first commit is the pristine 7.3.4
# source (tagged $BASE_TAG), then apply patches/ with git am.
#   --force   throw away an existing tree and start again
#   --no-am   only create the base
set -euo pipefail
. "$(dirname "$0")/lib.sh"

force=0 am=1
for a in "$@"; do
	case $a in
	--force) force=1 ;;
	--no-am) am=0 ;;
	*) die "unknown option $a" ;;
	esac
done

need_pkgs git xz-utils
tarball=$("$TOP/scripts/fetch-base.sh")

if [ -d "$KSRC/.git" ] && [ $force -eq 0 ]; then
	log "$KSRC exists (use --force to recreate)"
	exit 0
fi
rm -rf "$KSRC"
mkdir -p "$KSRC"
log "unpacking base into $KSRC"
tar -xJf "$tarball" -C "$KSRC" --strip-components=1
cd "$KSRC"
git init -q -b base
git config user.name "$PROJ_NAME"
git config user.email "$PROJ_EMAIL"
git config core.autocrlf false
git config gc.auto 0
git add -A -f
git commit -q -m "Linux 7.3.4 (Debian linux-source-7.3 $BASE_VER)"
git tag -f "$BASE_TAG" >/dev/null
git checkout -q -b vng
if [ $am -eq 1 ]; then
	"$TOP/scripts/apply.sh"
fi

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the kernel tree's commits since the base back to patches/ as a
# git format-patch series with a cover letter. The cover letter's subject
# and text come from patches/cover-letter.txt (first line: subject). Output
# is byte-stable: zero commit hashes, fixed dates, no git version footer.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$KSRC"
git diff --quiet HEAD -- || die "$KSRC has uncommitted changes"
n=$(git rev-list --count "$BASE_TAG"..HEAD)
[ "$n" -gt 0 ] || die "no commits since $BASE_TAG"
desc=$PATCHES/cover-letter.txt
[ -f "$desc" ] || die "missing $desc"
branch=$(git symbolic-ref --short HEAD) || die "$KSRC: HEAD is not on a branch"
git config "branch.$branch.description" "$(cat "$desc")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git format-patch -q --zero-commit --cover-letter --cover-from-description=subject \
	--no-signature --subject-prefix=PATCH -o "$tmp" "$BASE_TAG"..HEAD
for f in "$tmp"/*.patch; do
	# Only the header's Date: line; commit bodies are left alone.
	awk 'BEGIN { h = 1 } h && /^Date: / { print "Date: Wed, 25 Nov 2026 00:00:00 +0000"; next }
	     h && /^$/ { h = 0 } { print }' "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
done
rm -f "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch
cp "$tmp"/*.patch "$PATCHES/"
log "exported $n patches + cover letter to patches/"

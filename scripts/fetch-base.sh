#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Download Debian's linux-source-7.3 package (pinned version, sha256-checked)
# into the cache, without installing it. The archive URI is taken from the
# machine's own apt sources, so no mirror host is named here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DEB=$CACHE/${BASE_PKG}_${BASE_VER/:/%3a}_all.deb
SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
TARBALL=$CACHE/linux-source-7.3.tar.xz

verify() { echo "$SHA256  $DEB" | sha256sum -c --status; }

mkdir -p "$CACHE"
if [ -f "$DEB" ] && verify; then
	:
else
	rm -f "$DEB"
	uri=$(debian_archive_uri)
	apt=$(mktemp -d)
	trap 'rm -rf "$apt"' EXIT
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie-backports main" \
		>"$apt/sources.list"
	opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
	      -o APT::Sandbox::User=root)
	log "downloading $BASE_PKG=$BASE_VER"
	apt-get -q "${opts[@]}" update >/dev/null
	(cd "$CACHE" && apt-get -q "${opts[@]}" download "$BASE_PKG=$BASE_VER" >/dev/null)
	verify || die "sha256 mismatch for $DEB"
fi

if [ ! -f "$TARBALL" ] || [ "$DEB" -nt "$TARBALL" ]; then
	log "extracting linux-source-7.3.tar.xz"
	dpkg-deb --fsys-tarfile "$DEB" | tar -x -O ./usr/src/linux-source-7.3.tar.xz >"$TARBALL.tmp"
	mv "$TARBALL.tmp" "$TARBALL"
fi
echo "$TARBALL"

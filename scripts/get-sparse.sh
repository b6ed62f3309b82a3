#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of a sparse that Linux 7.3 accepts. Debian 12's sparse
# (0.6.4) lacks __typeof_unqual__, so the kernel's checker-valid.sh turns
# C=1/C=2 into a silent no-op with it. Build sparse from Debian's
# 0.6.5~rc1 source package (pinned, sha256-checked), once, into the cache.
# The archive URI comes from the machine's apt sources, as in fetch-base.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VER=0.6.5~rc1
ORIG=sparse_$VER.orig.tar.gz
SHA256=3ac8855ec7f3ab92f325be0f64347ccc2b10f8b4d7c2906783ee8e2bdab3f0de
dir=$CACHE/sparse-$VER
bin=$dir/sparse

if [ ! -x "$bin" ]; then
	need_pkgs gcc make
	mkdir -p "$CACHE"
	src=$(mktemp -d)
	trap 'rm -rf "$src"' EXIT
	if ! echo "$SHA256  $CACHE/$ORIG" | sha256sum -c --status 2>/dev/null; then
		uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
		[ -n "$uri" ] || uri=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
		[ -n "$uri" ] || die "cannot find the Debian archive URI in the apt sources"
		mkdir -p "$src/apt/lists/partial" "$src/apt/cache/archives/partial"
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main" \
			>"$src/apt/sources.list"
		opts=(-o Dir::Etc::SourceList="$src/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		      -o Dir::State::Lists="$src/apt/lists" -o Dir::Cache="$src/apt/cache"
		      -o APT::Sandbox::User=root)
		log "downloading the sparse $VER source package"
		apt-get -q "${opts[@]}" update >/dev/null
		(cd "$src" && apt-get -q "${opts[@]}" source --download-only "sparse=$VER-2" >/dev/null)
		echo "$SHA256  $src/$ORIG" | sha256sum -c --status || die "sha256 mismatch for $ORIG"
		cp "$src/$ORIG" "$CACHE/$ORIG"
	fi
	log "building sparse $VER"
	tar -xzf "$CACHE/$ORIG" -C "$src"
	make -s -C "$src"/sparse-* -j"$JOBS" sparse >/dev/null 2>&1 || die "cannot build sparse"
	mkdir -p "$dir"
	cp "$src"/sparse-*/sparse "$bin.tmp"
	mv "$bin.tmp" "$bin"
fi
echo "$bin"

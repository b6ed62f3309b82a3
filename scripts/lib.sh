# SPDX-License-Identifier: GPL-2.0
# Common settings for the project's scripts. Source it, do not run it.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=${VNG_CACHE:-/var/cache/virtio-ng}
KSRC=${VNG_KSRC:-$BUILD/linux}
# Build output sits beside the source tree (TREE/linux -> TREE/out/FLAVOUR), so
# every tree sees its sources at the same relative path and ccache (with
# CCACHE_BASEDIR) shares objects between trees and between clones.
KOUT=${VNG_KOUT:-$(dirname "$KSRC")/out}
PATCHES=${VNG_PATCHES:-$TOP/patches}
JOBS=${JOBS:-2}

BASE_PKG=linux-source-7.3
BASE_VER=7.3.4-1~bpo13+1
BASE_DEB_SHA256=${BASE_DEB_SHA256:-}
BASE_TAG=v7.3.4-base

# The one project identity used for From: and Signed-off-by: everywhere.
PROJ_NAME="virtio-ng project"
PROJ_EMAIL="virtio-ng@example.org"

export GIT_AUTHOR_NAME="$PROJ_NAME" GIT_AUTHOR_EMAIL="$PROJ_EMAIL"
export GIT_COMMITTER_NAME="$PROJ_NAME" GIT_COMMITTER_EMAIL="$PROJ_EMAIL"
# Fixed dates keep exported patches byte-stable across sessions.
export GIT_AUTHOR_DATE="2026-11-25T00:00:00Z" GIT_COMMITTER_DATE="2026-11-25T00:00:00Z"

# The guest's architecture: x86_64 (every case), or arm64 (VNG_ARCH=arm64:
# the kernel from scripts/build-arch.sh, boot.sh's virt machine).
VNG_ARCH=${VNG_ARCH:-x86_64}

# arch_cross: the cross compiler prefix of $VNG_ARCH ("" on x86_64)
arch_cross() {
	case $VNG_ARCH in
	x86_64) echo "" ;;
	arm64) echo aarch64-linux-gnu- ;;
	*) die "unknown VNG_ARCH $VNG_ARCH" ;;
	esac
}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install Debian packages that are missing; quiet when all are present.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	if [ ! -f /var/lib/apt/periodic/vng-updated ]; then
		apt-get update -q >/dev/null || die "apt-get update failed"
		mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/vng-updated
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# qemu_bin: the qemu-system-x86_64 that $VNG_QEMU asks for: unset, empty or
# "system": the system's (Debian 12's 7.2); a version (7.2, 10.0): that one,
# fetched beside the system's by scripts/get-qemu.sh when needed; a path: it.
qemu_bin() {
	# Another architecture's guest (VNG_ARCH=arm64): the system's QEMU.
	if [ "${VNG_ARCH:-x86_64}" = arm64 ]; then
		command -v qemu-system-aarch64 || die "no qemu-system-aarch64"
		return
	fi
	case ${VNG_QEMU:-} in
	"" | system) command -v qemu-system-x86_64 || die "no qemu-system-x86_64" ;;
	/*) echo "$VNG_QEMU" ;;
	*) "$TOP/scripts/get-qemu.sh" "$VNG_QEMU" ;;
	esac
}

# qemu_desc BINARY: "10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1) PATH", for logs
qemu_desc() {
	local v
	v=$("$1" --version 2>/dev/null | sed -n 's/^QEMU emulator version //p')
	echo "${v:-unknown version} $1"
}

# debian_archive_uri: the Debian archive URI of the machine's apt sources
# (the stanza or line that serves bookworm itself, not its security
# updates or another vendor's repository)
debian_archive_uri() {
	local uri
	uri=$(awk '/^URIs:/ { u = $2 }
		/^Suites:/ && / bookworm( |$)/ && u !~ /security/ { print u; exit }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '/^deb / && $3 == "bookworm" && $0 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null || true)
	[ -n "$uri" ] || die "cannot find the Debian archive URI in the apt sources"
	echo "$uri"
}

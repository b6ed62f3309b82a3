#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reset the kernel tree's vng branch to the base and git am patches/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$KSRC/.git" ] || die "no kernel tree; run scripts/setup-tree.sh"
cd "$KSRC"
git am --abort >/dev/null 2>&1 || true
git checkout -q -B vng "$BASE_TAG"
shopt -s nullglob
series=("$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch)
todo=()
for p in "${series[@]}"; do
	[[ $p == */0000-cover-letter.patch ]] || todo+=("$p")
done
[ ${#todo[@]} -gt 0 ] || { log "no patches to apply"; exit 0; }
log "applying ${#todo[@]} patches"
git am -q --whitespace=error-all "${todo[@]}"

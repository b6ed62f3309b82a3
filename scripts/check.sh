#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the series, each counted as one check:
#   - checkpatch.pl --strict on every patch: no errors, warnings or checks
#   - git am of the whole series onto the pristine base
#   - every patch builds on its own (bisect build of the test flavour: the
#     directories each patch changes, with W=1 in ours; the whole kernel
#     for the last one)
#   - W=1 and C=1 (sparse) builds of our directories: no warnings
#   - scripts/kernel-doc -none -Wall on our files: no warnings
#   - files outside our directories that the series changes (virtio_ring,
#     the uapi header): W=1, sparse and kernel-doc report nothing on the
#     lines it adds
#   - Debian's b4 manages the series and writes its mails
#     (scripts/b4-check.sh)
# Prints TAP and "N passed, N failed"; exits non-zero on any failure.
#   --no-bisect   skip the per-patch builds (reported as skipped)
#   --no-build    checkpatch and git am only (builds reported as skipped)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

bisect=1 build=1
case ${1:-} in
--no-bisect) bisect=0 ;;
--no-build) bisect=0 build=0 ;;
esac
OURDIRS=(drivers/virtio/virtio_pci_ng drivers/block/virtio_blk_ng)
n=0 pass=0 fail=0 skipped=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
indent() { sed 's/^/    # /' | head -n "${1:-40}"; }

need_pkgs git sparse perl python3
[ -e "$KSRC/.git" ] || die "no kernel tree; run scripts/setup-tree.sh"
mapfile -t series < <(ls "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch | grep -v /0000-cover-letter.patch)
[ ${#series[@]} -gt 0 ] || die "no patches"

# 1. checkpatch, per patch: $JOBS at a time (each is one perl process),
# reported in series order.
t0=$(date +%s)
ckdir=$(mktemp -d /tmp/vng-checkpatch.XXXXXX)
trap 'rm -rf "$ckdir"' EXIT
checkpatch_one() { # PATCH: its findings into $ckdir/NAME
	# FILE_PATH_CHANGES only asks whether MAINTAINERS needs updating
	# when a patch adds a file; the coverage check below answers it.
	perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet --showfile \
		--ignore SPDX_LICENSE_TAG_MISSING,FILE_PATH_CHANGES "$1" 2>&1 |
		grep -E '^(ERROR|WARNING|CHECK)|^[^ ].*: (ERROR|WARNING|CHECK):' \
		>"$ckdir/$(basename "$1")"
	echo "$?" >"$ckdir/$(basename "$1").done"
}
for p in "${series[@]}"; do
	checkpatch_one "$p" &
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
done
wait
for p in "${series[@]}"; do
	res=$(cat "$ckdir/$(basename "$p")")
	if [ -f "$ckdir/$(basename "$p").done" ] && [ -z "$res" ]; then
		ok "checkpatch --strict $(basename "$p")"
	else
		notok "checkpatch --strict $(basename "$p")"; echo "${res:-checkpatch did not finish}" | indent
	fi
done
echo "# checkpatch of ${#series[@]} patches: $(($(date +%s) - t0)) s"

tsec=$SECONDS
# 2. git am onto the pristine base, in a worktree of its own. The worktree
# is kept between runs so that unchanged files keep their timestamps and the
# builds below stay incremental.
wt=$BUILD/check/linux
if [ -e "$wt/.git" ] && git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	git -C "$wt" checkout -q -f --detach "$BASE_TAG" && git -C "$wt" clean -q -fdx
else
	rm -rf "$wt"
	git -C "$KSRC" worktree prune
	mkdir -p "$(dirname "$wt")"
	git -C "$KSRC" worktree add -q --detach "$wt" "$BASE_TAG"
fi
if out=$(git -C "$wt" am -q --whitespace=error-all "${series[@]}" 2>&1); then
	ok "git am of ${#series[@]} patches onto $BASE_TAG"
	am_ok=1
else
	notok "git am of ${#series[@]} patches onto $BASE_TAG"; echo "$out" | indent; am_ok=0
fi

# 2b. Every file a patch adds is covered, as of that patch, by an F: line
# of a MAINTAINERS entry of the project (a directory pattern or the file).
covered() { # COMMIT FILE
	git -C "$wt" show "$1:MAINTAINERS" | awk -v me="$PROJ_EMAIL" -v f="$2" '
		/^$/ || !/^[A-Z]:/ { ours = 0 } /^M:/ && index($0, me) { ours = 1 }
		/^F:/ && ours { pats[++n] = $2 }
		END { for (i = 1; i <= n; i++) {
			p = pats[i]
			if ((p ~ /\/$/ && index(f, p) == 1) || f == p) exit 0 }
		      exit 1 }'
}
if [ $am_ok -eq 1 ]; then
	bad=()
	for c in $(git -C "$wt" rev-list --reverse "$BASE_TAG"..HEAD); do
		while IFS= read -r f; do
			[ -n "$f" ] && ! covered "$c" "$f" &&
				bad+=("$(git -C "$wt" log -1 --format=%s "$c"): $f")
		done < <(git -C "$wt" diff-tree --no-commit-id --diff-filter=A --name-only -r "$c")
	done
	if [ ${#bad[@]} -eq 0 ]; then ok "every added file is in a MAINTAINERS entry of the series"
	else notok "every added file is in a MAINTAINERS entry of the series"; printf '%s\n' "${bad[@]}" | indent; fi
	# 2c. What a contributor's tooling says: get_maintainer.pl names the
	# project for every file the series adds; and no other entry claims a
	# path that only the series creates (an entry without its closing
	# blank line hands its F: lines to the next one, whose maintainers
	# would then get our patches).
	bad=()
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		m=$(cd "$wt" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
			--no-rolestats --no-l --no-r -f "$f" 2>&1)
		grep -qF "$PROJ_EMAIL" <<<"$m" || bad+=("$f: $(tr '\n' ',' <<<"$m")")
	done < <(git -C "$wt" diff --diff-filter=A --name-only "$BASE_TAG" HEAD)
	# The paths only the series creates: its added files and the
	# directories they make (one git call per directory, not per F: line).
	created=$ckdir/created
	git -C "$wt" diff --diff-filter=A --name-only "$BASE_TAG" HEAD >"$created"
	while IFS= read -r f; do
		while [ "$f" != "${f%/*}" ]; do f=${f%/*}; echo "$f"; done
	done <"$created" | sort -u >"$ckdir/dirs"
	while IFS= read -r d; do
		git -C "$wt" cat-file -e "$BASE_TAG:$d" 2>/dev/null || echo "$d"
	done <"$ckdir/dirs" >>"$created"
	while IFS= read -r p; do
		bad+=("another entry claims $p")
	done < <(git -C "$wt" show HEAD:MAINTAINERS | awk -v me="$PROJ_EMAIL" -v list="$created" '
		BEGIN { while ((getline l < list) > 0) new[l] = 1 }
		/^$/ || !/^[A-Z]:/ { ours = 0 } /^M:/ && index($0, me) { ours = 1 }
		/^F:/ && !ours { p = $2; sub(/\/$/, "", p); if (p in new) print $2 }')
	if [ ${#bad[@]} -eq 0 ]; then ok "get_maintainer.pl names our entry for every added file; no other entry claims them"
	else notok "get_maintainer.pl names our entry for every added file; no other entry claims them"; printf '%s\n' "${bad[@]}" | indent; fi
fi

echo "# git am and MAINTAINERS: $((SECONDS - tsec)) s"
tsec=$SECONDS
# 3. Bisect build: each patch on its own, oldest first.
if [ $am_ok -eq 1 ] && [ $bisect -eq 1 ]; then
	top=$(git -C "$wt" rev-parse HEAD)
	mapfile -t commits < <(git -C "$wt" rev-list --reverse "$BASE_TAG"..HEAD)
	i=0
	for c in "${commits[@]}"; do
		i=$((i + 1))
		subj=$(git -C "$wt" log -1 --format=%s "$c")
		# A patch that changes nothing the kernel build reads (only
		# Documentation/, tools/testing/ or MAINTAINERS; objtool in tools/
		# is part of the kernel build) builds exactly what the
		# patch before it built: say so instead of building again.
		if [ $i -gt 1 ] && ! git -C "$wt" diff --name-only "$c~1" "$c" |
			grep -qvE '^(Documentation/|tools/testing/|MAINTAINERS$)'; then
			ok "patch $i builds on its own: $subj (no file the kernel build reads: the build of patch $((i - 1)))"
			continue
		fi
		git -C "$wt" checkout -q --detach "$c"
		lax=1 what=() how= flags=
		[ $i -eq ${#commits[@]} ] && lax=
		# Every patch but the last builds only the directories it changes
		# (a header of include/ is built through the two directories that
		# use the ones the series touches): seconds each, where a whole
		# kernel's make with its vmlinux link takes minutes. The last
		# patch builds the kernel and its modules, which also links them
		# (modpost finds what a directory build cannot: a symbol declared
		# but not defined). Our own directories build with W=1.
		if [ -n "$lax" ]; then
			mapfile -t what < <(git -C "$wt" diff --name-only "$c~1" "$c" |
				grep -vE '^(Documentation/|tools/testing/|MAINTAINERS$)' |
				while IFS= read -r f; do
					case $f in
					include/*) printf '%s\n' drivers/virtio/ drivers/block/ ;;
					*) echo "$(dirname "$f")/" ;;
					esac
				done | sort -u)
			flags=W=1
			for d in "${what[@]}"; do
				[[ " ${OURDIRS[*]/%//} " == *" $d "* ]] || flags=
			done
			how=" (${what[*]}${flags:+, $flags})"
		fi
		t0=$(date +%s)
		if out=$(VNG_LAX_CONFIG=$lax VNG_KSRC=$wt VNG_OUT=test \
			MAKEFLAGS_EXTRA="$flags" "$TOP/scripts/build.sh" test "${what[@]}" 2>&1) &&
			! grep -qE ':[0-9]+:[0-9]+: warning:' <<<"$out"; then
			ok "patch $i builds on its own$how: $subj ($(($(date +%s) - t0)) s)"
		else
			notok "patch $i builds on its own$how: $subj"; echo "$out" | grep -E 'error|Error|warning' | indent
		fi
	done
	# Back to the top of the series (a skipped patch was never checked out).
	git -C "$wt" checkout -q --detach "$top"
elif [ $bisect -eq 0 ]; then
	skip "bisect build" "${1:-}"
fi

echo "# bisect builds: $((SECONDS - tsec)) s"

# added_lines FILE: "FILE:N" for every line the series adds to FILE
added_lines() {
	git -C "$wt" diff -U0 "$BASE_TAG"..HEAD -- "$1" |
		awk -v f="$1" '/^@@/ { split($3, a, ","); s = substr(a[1], 2);
			c = (a[2] == "" ? 1 : a[2]); for (i = 0; i < c; i++) print f ":" s + i }'
}

# check_core SPARSE: the files outside our directories that the series
# changes are the kernel's own, with warnings of their own at W=1 and in
# kernel-doc; what the series must not add is a warning on a line it
# added. Each .c file is rebuilt with W=1 and with sparse (C=1 after a
# touch); the headers are checked through them.
check_core() {
	local ours core cfiles objs out rc at warn flag
	ours=$(IFS='|'; echo "${OURDIRS[*]}")
	core=$(git -C "$wt" diff --name-only "$BASE_TAG"..HEAD -- '*.[ch]' |
		grep -vE "^($ours)/|^tools/|^Documentation/" | tr '\n' ' ')
	[ -n "${core// /}" ] || return 0
	cfiles=$(printf '%s\n' $core | grep '\.c$' | tr '\n' ' ')
	objs=${cfiles//.c /.o }
	objs=${objs% } core=${core% }
	# FILE:LINE of every added line (after a "/" or a space, before a ":"
	# or a space: gcc, sparse and kernel-doc): a diagnostic there is new.
	at="(^|[/ ])($(for f in $core; do added_lines "$f"; done | sed 's/[.]/[.]/g' | paste -sd'|'))[: ]"
	for flag in W=1 "C=1 CHECK=$1"; do
		# shellcheck disable=SC2086
		(cd "$wt" && touch $cfiles)
		# shellcheck disable=SC2086
		out=$(VNG_KSRC=$wt VNG_OUT=test MAKEFLAGS_EXTRA="$flag" "$TOP/scripts/build.sh" test $objs 2>&1)
		rc=$?
		warn=$(echo "$out" | grep -E 'warning:|error:' | grep -E "$at")
		if [ $rc -eq 0 ] && [ -z "$warn" ]; then
			ok "make ${flag%% *} $objs: nothing on the lines the series adds"
		else
			notok "make ${flag%% *} $objs: nothing on the lines the series adds"
			echo "${warn:-$out}" | indent
		fi
	done
	# shellcheck disable=SC2086
	out=$(cd "$wt" && scripts/kernel-doc -none -Wall $core 2>&1 | grep -E "$at")
	if [ -z "$out" ]; then ok "kernel-doc -none -Wall $core: nothing on the lines the series adds"
	else notok "kernel-doc -none -Wall $core: nothing on the lines the series adds"; echo "$out" | indent; fi
}

tsec=$SECONDS
# 4. W=1 and sparse over our directories at the top of the series.
if [ $build -eq 0 ]; then
	skip "W=1, C=2 and kernel-doc" "--no-build"
elif [ $am_ok -eq 1 ]; then
	git -C "$wt" checkout -q --detach HEAD
	dirs=()
	for d in "${OURDIRS[@]}"; do [ -d "$wt/$d" ] && dirs+=("$d/"); done
	# Configure and prepare the tree at the top of the series (a no-op after
	# the bisect builds).
	VNG_KSRC=$wt VNG_OUT=test "$TOP/scripts/build.sh" test prepare >/dev/null 2>&1 || true
	# C=2 runs sparse on every file of the directories, built or not,
	# with a sparse the kernel accepts (it silently skips one it does not).
	sparse=$("$TOP/scripts/get-sparse.sh")
	for flag in W=1 "C=2 CHECK=$sparse"; do
		touch_list=$(cd "$wt" && find "${dirs[@]}" -name '*.c')
		# shellcheck disable=SC2086
		(cd "$wt" && touch $touch_list)
		out=$(VNG_KSRC=$wt VNG_OUT=test MAKEFLAGS_EXTRA="$flag" "$TOP/scripts/build.sh" test "${dirs[@]}" 2>&1)
		rc=$?
		warn=$(echo "$out" | grep -E 'warning:|error:' | grep -E "$(IFS='|'; echo "${OURDIRS[*]}")")
		# A checker the kernel refused checked nothing: that is a failure.
		echo "$out" | grep -q 'is not available or not up to date' &&
			warn="the kernel refused the checker: $(echo "$out" | grep 'not up to date')"
		if [ $rc -eq 0 ] && [ -z "$warn" ]; then ok "make ${flag%% *} ${dirs[*]}: no warnings"
		else notok "make ${flag%% *} ${dirs[*]}: no warnings"; echo "${warn:-$out}" | indent; fi
	done
	files=$(cd "$wt" && find "${dirs[@]}" -name '*.[ch]' | sort)
	# shellcheck disable=SC2086
	out=$(cd "$wt" && scripts/kernel-doc -none -Wall $files 2>&1)
	if [ -z "$out" ]; then ok "kernel-doc -none -Wall on $(echo "$files" | wc -w) files"
	else notok "kernel-doc -none -Wall"; echo "$out" | indent; fi
	check_core "$sparse"
fi

echo "# W=1, sparse and kernel-doc: $((SECONDS - tsec)) s"
tsec=$SECONDS
# 5. The series through Debian's b4: a b4 prep branch, --auto-to-cc and the
# mails of b4 send -o (scripts/b4-check.sh), each of its checks one here.
if [ $am_ok -eq 1 ]; then
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*) ok "b4: ${line#ok * - }" ;;
		"not ok "[0-9]*) notok "b4: ${line#not ok * - }" ;;
		"    #"*) echo "$line" ;;
		esac
	done < <("$TOP/scripts/b4-check.sh" "$wt" </dev/null 2>&1)
else
	skip "b4 prep/send" "git am failed"
fi

echo "# b4: $((SECONDS - tsec)) s"
echo "1..$n"
echo "checks: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The series as a maintainer's tooling sees it: Debian's b4 manages it on a
# b4 prep branch (cover letter from patches/cover-letter.txt, To/Cc from
# get_maintainer.pl through --auto-to-cc) and writes the mails it would
# send (b4 send -o, nothing is sent). Checks, one TAP line each:
#   - b4 writes the cover letter and one mail per patch, numbered in order,
#     with the subjects of the series
#   - every mail goes to the project's own MAINTAINERS entry
#   - the mails, applied with git am onto the base, give the series' tree
# Prints "b4: N passed, N failed"; exits non-zero on any failure.
#   scripts/b4-check.sh [TREE]   TREE: a tree with the series applied
#                                (default: the check worktree)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

n=0 pass=0 fail=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
indent() { sed 's/^/    # /' | head -n 20; }
finish() {
	echo "1..$n"
	echo "b4: $pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
}

need_pkgs b4 git-filter-repo
tree=${1:-$BUILD/check/linux}
[ -e "$tree/.git" ] || die "no tree with the series at $tree"
mapfile -t series < <(ls "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch | grep -v /0000-cover-letter.patch)
want_tree=$(git -C "$tree" rev-parse "HEAD^{tree}")

tmp=$(mktemp -d /tmp/vng-b4.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# A shared clone: b4 keeps its branch metadata in the repository's config,
# which must not be the project's tree.
git clone -q --shared --no-checkout "$KSRC" "$tmp/linux" || die "clone failed"
cd "$tmp/linux" || exit 1
git config user.name "$PROJ_NAME"
git config user.email "$PROJ_EMAIL"
# b4 send -o never sends; an SMTP setting keeps it off the web endpoint,
# which would want a signing key.
git config sendemail.smtpServer /bin/false
# Only what the series and the tools read is checked out (a few thousand
# files, not the kernel's 90,000: this step took minutes on a busy
# 2-core machine): the top-level files, scripts/, the directories the
# patches touch, and one file in each directory get_maintainer.pl looks
# for before it believes it is in a kernel tree.
{
	printf '%s\n' '/*' '!/*/' /scripts/ /arch/Kconfig /fs/Kconfig /init/Kconfig \
		/ipc/Makefile /kernel/Makefile /lib/Kconfig /drivers/Makefile \
		/include/Kbuild /Documentation/Makefile
	sed -n 's|^diff --git a/\(.*\)/[^/]* b/.*|/\1/|p' "${series[@]}" | sort -u
} >"$tmp/sparse"
git sparse-checkout set --no-cone --stdin <"$tmp/sparse" 2>/dev/null ||
	die "sparse checkout failed"
git checkout -q -b vng-base "$BASE_TAG" || die "no $BASE_TAG"

editor=$tmp/cover-editor
printf '#!/bin/sh\ncat "%s" >"$1"\n' "$PATCHES/cover-letter.txt" >"$editor"
chmod +x "$editor"
if out=$(b4 prep -n vng -f "$BASE_TAG" 2>&1 && git am -q "${series[@]}" 2>&1 &&
	 GIT_EDITOR=$editor EDITOR=$editor VISUAL=$editor b4 prep --edit-cover 2>&1 &&
	 b4 prep --auto-to-cc 2>&1 && b4 send --no-sign -o "$tmp/out" 2>&1); then
	ok "b4 prep, --auto-to-cc and send -o take the series"
else
	notok "b4 prep, --auto-to-cc and send -o take the series"
	echo "$out" | tail -n 20 | indent
	finish
fi

mapfile -t mails < <(ls "$tmp"/out/*.eml)
bad=
[ ${#mails[@]} -eq $((${#series[@]} + 1)) ] || bad="${#mails[@]} mails for ${#series[@]} patches"
total=$(printf '%02d' ${#series[@]})
for i in "${!mails[@]}"; do
	[ -n "$bad" ] && break
	subj=$(sed -n '/^Subject:/{N;s/\n / /;p}' "${mails[$i]}" | head -1)
	if [ "$i" -eq 0 ]; then
		want="[PATCH 00/$total] $(head -1 "$PATCHES/cover-letter.txt")"
	else
		want="[PATCH $(printf '%02d' "$i")/$total] $(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "${series[$((i - 1))]}")"
	fi
	# format-patch folds long subjects; compare them unfolded.
	[[ "Subject: $want" == "$subj"* || "$subj" == "Subject: $want"* ]] ||
		bad="$(basename "${mails[$i]}"): '$subj', want '$want'"
done
if [ -z "$bad" ]; then ok "${#mails[@]} mails, numbered, with the series' subjects"
else notok "${#mails[@]} mails, numbered, with the series' subjects"; echo "$bad" | indent; fi

bad=()
for m in "${mails[@]}"; do
	sed -n '/^To:/,/^[A-Z][a-zA-Z-]*: /p' "$m" | grep -qF "$PROJ_EMAIL" ||
		sed -n '/^Cc:/,/^[A-Z][a-zA-Z-]*: /p' "$m" | grep -qF "$PROJ_EMAIL" ||
		bad+=("$(basename "$m")")
done
if [ ${#bad[@]} -eq 0 ]; then ok "every mail goes to the project's MAINTAINERS entry ($PROJ_EMAIL)"
else notok "every mail goes to the project's MAINTAINERS entry"; printf '%s\n' "${bad[@]}" | indent; fi

git checkout -q --detach "$BASE_TAG"
if out=$(git am -q "${mails[@]:1}" 2>&1) && [ "$(git rev-parse "HEAD^{tree}")" = "$want_tree" ]; then
	ok "the mails apply onto $BASE_TAG and give the series' tree"
else
	notok "the mails apply onto $BASE_TAG and give the series' tree"
	echo "$out" | indent
fi
finish

#!/bin/sh
# Builds the Debian package bpfcap_*.deb from this source tree, without touching it:
# copies the sources into a temporary tree, puts packaging/debian there as debian/, and runs
# dpkg-buildpackage -b -us -uc (as an ordinary build: hardening, -DBPFCAP_WERROR=OFF, no unit
# tests; DEB_BUILD_OPTIONS=nocheck is passed through).
#
# Usage: packaging/build-deb.sh [-o OUTDIR] [--rev REV] [--lintian] [--keep]
#   -o OUTDIR   where the .deb, .buildinfo and .changes go (default: build-deb/ in the tree)
#   --rev REV   build the sources of git revision REV (git archive), with packaging/ taken
#               from the working tree; default: the working tree as it is (tracked and
#               untracked files, minus what .gitignore ignores)
#   --lintian   run lintian on the result (errors fail the build)
#   --keep      keep the temporary source tree (its path is printed)
# Needs: dpkg-dev, debhelper, fakeroot or root, and the Build-Depends of packaging/debian/control
# (dpkg-checkbuilddeps names what is missing; packaging/install-deps.sh --test installs them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build-deb
rev=""
run_lintian=0
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	--rev) rev=$2; shift 2 ;;
	--lintian) run_lintian=1; shift ;;
	--keep) keep=1; shift ;;
	-h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build-deb.sh: unknown argument '$1'; try --help" >&2; exit 2 ;;
	esac
done
command -v dpkg-buildpackage >/dev/null ||
	{ echo "build-deb.sh: dpkg-buildpackage missing (apt-get install dpkg-dev debhelper)" >&2; exit 1; }

version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
tmp=$(mktemp -d /tmp/bpfcap-deb.XXXXXX)
[ "$keep" = 1 ] || trap 'rm -rf "$tmp"' EXIT
src=$tmp/bpfcap-$version
mkdir -p "$src"

# the sources: NUL-separated lists of files that exist, copied with tar
existing() { perl -0ne 'chomp; print "$_\0" if -e $_'; }
copy_listed() { (cd "$top" && existing | tar --null --no-recursion -T - -cf -) | tar -x -C "$src"; }
if [ -n "$rev" ]; then
	git -C "$top" archive --format=tar "$rev" | tar -x -C "$src"
	rm -rf "$src/packaging"
	git -C "$top" ls-files -co --exclude-standard -z packaging | copy_listed
elif git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -co --exclude-standard -z | copy_listed
else
	tar -C "$top" --exclude='./build*' --exclude=./.git -cf - . | tar -x -C "$src"
fi
rm -rf "$src/debian"
cp -r "$top/packaging/debian" "$src/debian"

echo "== dpkg-buildpackage -b -us -uc in $src"
(cd "$src" && dpkg-buildpackage -b -us -uc)

mkdir -p "$out"
for f in "$tmp"/*.deb "$tmp"/*.ddeb "$tmp"/*.buildinfo "$tmp"/*.changes; do
	[ -e "$f" ] && mv -f "$f" "$out/"
done
changes=$(find "$out" -name "bpfcap_${version}_*.changes" | head -1)
echo "== built:"
ls -l "$out"/bpfcap*_"${version}"_*.deb
if [ "$run_lintian" = 1 ]; then
	echo "== lintian $changes"
	lintian --info --display-info "$changes"
fi
[ "$keep" = 0 ] || echo "== source tree kept: $src"

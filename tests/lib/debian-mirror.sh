#!/bin/sh
# Prints the Debian archive this machine's apt uses (the URI of its first "debian" source, from
# /etc/apt/sources.list and sources.list.d, one-line and deb822 formats), so that a chroot or a
# private apt configuration fetches from the same place. Exit 1 when none is configured.
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -r "$f" ] || continue
	sed -n -e 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
		-e 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n'
done | grep -E '^(https?|file)://.*/debian/?$' | head -1 | sed 's:/$::' | grep . || exit 1

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target over the probe-spec parser (extcap/probe.c probe_spec_parse) and the
 * resolver behind it (probe_resolve), the code every -p SPEC, every word of `bpfcap trace` and
 * every entry of the extcap's probe list goes through. Input: the spec (up to a NUL), then one
 * byte for the size of the error buffer.
 *   - the parser returns 0 or -EINVAL; a refusal has a NUL-terminated, non-empty message that
 *     fits the buffer it was given, whatever its size;
 *   - an accepted spec is one of the kinds the grammar has, with the fields that kind needs in
 *     range (tracepoints: identifier name and category, arg -1..11; functions: a symbol name
 *     or pattern, wildcards only for kprobe; devices: a name the kernel could have; programs:
 *     a non-zero id; maps: an absolute path), and a canonical text that parses back to the
 *     same spec;
 *   - resolving a tracepoint or function spec against a kernel-like BTF
 *     (tests/unit/btf_fixture.h) and, when readable, the running kernel's BTF (no wildcards
 *     there: matching them walks every kernel function) either fails with a message or picks
 *     a program with the skb in a supported argument; what it allocated is freed by
 *     probe_info_free() (LeakSanitizer checks). Device, program and map specs are not
 *     resolved: that looks at the machine, not at the spec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "btf_fixture.h"
#include "probe.h"

#define FUZZ_NAME "fuzz_probe_spec"
#include "fuzz_common.h"

static struct btf *fixture, *kernel;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fx_opts o = { .ovs = true, .mac80211 = true, .decoy = true, .reasons = true };

	(void)argc;
	(void)argv;
	fixture = fx_btf(&o);
	kernel = btf__parse("/sys/kernel/btf/vmlinux", NULL); /* NULL: fixture only */
	return 0;
}

static int ident(const char *s, int allow_empty)
{
	if (!*s)
		return allow_empty;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int is_tp(const struct probe_spec *sp)
{
	return sp->kind == PROBE_TP || sp->kind == PROBE_RAW_TP;
}

static int is_fn(const struct probe_spec *sp)
{
	return sp->kind == PROBE_KPROBE || sp->kind == PROBE_FENTRY || sp->kind == PROBE_FEXIT ||
	       sp->kind == PROBE_FN;
}

static void check_resolve(const struct btf *btf, const struct probe_spec *sp, const char *which)
{
	struct probe_info pi;
	char err[512];
	int r;

	memset(err, 0, sizeof(err));
	r = probe_resolve(btf, sp, &pi, err, sizeof(err));
	if (r) {
		if (r != -EINVAL && r != -ENOENT)
			FAIL("%s: probe_resolve('%s') returned %d", which, sp->text, r);
		if (!err[0])
			FAIL("%s: probe_resolve('%s') failed without a message", which, sp->text);
		probe_info_free(&pi); /* harmless when nothing was allocated */
		return;
	}
	if (is_tp(sp)) {
		if (pi.skb_arg < 0 || pi.skb_arg > 3 || !pi.prog_tp || !pi.prog_raw ||
		    strncmp(pi.prog_tp, "tp_", 3) || strncmp(pi.prog_raw, "raw_", 4) ||
		    strcmp(pi.prog_tp + 3, pi.prog_raw + 4))
			FAIL("%s: '%s' resolved to skb arg %d, programs %s / %s", which, sp->text,
			     pi.skb_arg, pi.prog_tp ? pi.prog_tp : "-",
			     pi.prog_raw ? pi.prog_raw : "-");
	} else {
		if (pi.skb_arg < 0 || pi.skb_arg > 4)
			FAIL("%s: '%s' resolved to skb arg %d", which, sp->text, pi.skb_arg);
		if (sp->wildcard ? !pi.prog_kmulti || !pi.nsyms
				 : !pi.prog_kprobe || !pi.prog_fentry || !pi.prog_fexit)
			FAIL("%s: '%s' resolved without programs", which, sp->text);
	}
	if (strnlen(pi.spec.text, sizeof(pi.spec.text)) == sizeof(pi.spec.text) ||
	    strcmp(pi.spec.name, sp->name))
		FAIL("%s: resolved spec text/name broken", which);
	probe_info_free(&pi);
}

static int fn_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.' || ch == '*' || ch == '?';
}

static void check_fields(const char *s, const struct probe_spec *sp)
{
	size_t k;
	int wild = 0;

	if (strnlen(sp->text, sizeof(sp->text)) == sizeof(sp->text))
		FAIL("'%s': text not terminated", s);
	if (strnlen(sp->name, sizeof(sp->name)) >= PROBE_NAME_MAX - 1 || !sp->name[0])
		FAIL("'%s': name", s);
	switch (sp->kind) {
	case PROBE_TP:
	case PROBE_RAW_TP:
		if (!ident(sp->name, 0) ||
		    strnlen(sp->category, sizeof(sp->category)) == sizeof(sp->category) ||
		    !ident(sp->category, 1))
			FAIL("'%s': tracepoint '%s' category '%s'", s, sp->name, sp->category);
		if (sp->arg < -1 || sp->arg >= PROBE_MAX_ARGS)
			FAIL("'%s': arg %d", s, sp->arg);
		break;
	case PROBE_KPROBE:
	case PROBE_FENTRY:
	case PROBE_FEXIT:
	case PROBE_FN:
		for (k = 0; sp->name[k]; k++) {
			if (!fn_char(sp->name[k]))
				FAIL("'%s': function name '%s'", s, sp->name);
			wild |= sp->name[k] == '*' || sp->name[k] == '?';
		}
		if (wild != !!sp->wildcard || (sp->wildcard && sp->kind != PROBE_KPROBE))
			FAIL("'%s': wildcard %d in '%s'", s, sp->wildcard, sp->name);
		if (sp->arg < -1 || sp->arg >= PROBE_MAX_ARGS)
			FAIL("'%s': arg %d", s, sp->arg);
		break;
	case PROBE_XDP:
	case PROBE_TC:
		if (!sp->dev[0] || strnlen(sp->dev, sizeof(sp->dev)) >= 16 ||
		    strpbrk(sp->dev, "/ \t"))
			FAIL("'%s': device '%s'", s, sp->dev);
		break;
	case PROBE_PROG:
	case PROBE_PROG_ENTRY:
	case PROBE_PROG_EXIT:
		if (!sp->prog_id)
			FAIL("'%s': program id 0", s);
		break;
	case PROBE_MAP:
		if (sp->path[0] != '/' || strnlen(sp->path, sizeof(sp->path)) == sizeof(sp->path))
			FAIL("'%s': map path '%s'", s, sp->path);
		break;
	default: FAIL("'%s': kind %d", s, sp->kind);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t slen = nul ? (size_t)(nul - data) : size;
	size_t errlen = nul && nul + 1 < data + size ? nul[1] : 256;
	struct probe_spec sp, again;
	char *s, *err, *err2;
	int r;

	s = malloc(slen + 1);
	err = malloc(errlen ? errlen : 1);
	err2 = malloc(512);
	if (!s || !err || !err2)
		FAIL("out of memory");
	memcpy(s, data, slen);
	s[slen] = '\0';
	if (errlen)
		memset(err, 'x', errlen);
	r = probe_spec_parse(s, &sp, err, errlen);
	if (r) {
		if (r != -EINVAL)
			FAIL("'%s': returned %d", s, r);
		if (errlen && (strnlen(err, errlen) == errlen || (errlen > 1 && !err[0])))
			FAIL("'%s': bad error message for a %zu-byte buffer", s, errlen);
		goto out;
	}
	check_fields(s, &sp);
	if (probe_spec_parse(sp.text, &again, err2, 512)) {
		/* Known and harmless: the last part of "tp:...:argN..." is read as an argument
		 * index, so a tracepoint whose name starts with "arg" and a digit is reachable as a
		 * bare name only (no kernel has one; docs/robustness.md). */
		if (is_tp(&sp) && !strncmp(sp.name, "arg", 3) && sp.name[3] >= '0' &&
		    sp.name[3] <= '9')
			goto out;
		FAIL("'%s': canonical form '%s' does not parse: %s", s, sp.text, err2);
	}
	if (again.kind != sp.kind || again.arg != sp.arg || strcmp(again.name, sp.name) ||
	    strcmp(again.category, sp.category) || strcmp(again.text, sp.text) ||
	    strcmp(again.dev, sp.dev) || again.egress != sp.egress || again.prog_id != sp.prog_id ||
	    strcmp(again.path, sp.path) || again.wildcard != sp.wildcard)
		FAIL("'%s': canonical form '%s' parses to another spec ('%s')", s, sp.text,
		     again.text);
	if (is_tp(&sp) || is_fn(&sp)) {
		check_resolve(fixture, &sp, "fixture BTF");
		if (kernel && !sp.wildcard)
			check_resolve(kernel, &sp, "kernel BTF");
	}
out:
	free(s);
	free(err);
	free(err2);
	return 0;
}

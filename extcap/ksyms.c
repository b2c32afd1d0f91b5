// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ksym_iter.skel.h"
#include "ksyms.h"
#include "log.h"

struct ksym {
	uint64_t addr;
	uint32_t name_off;
};

struct ksyms {
	struct ksym *s;
	size_t n;
	char *names;
	size_t names_len;
};

static int cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Reads "ADDR TYPE NAME ..." lines (the format of /proc/kallsyms); NULL when none has an
 * address. Closes f. */
static struct ksyms *parse(FILE *f)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	size_t cap = 0, ncap = 0;
	char line[1024];

	if (!k) {
		fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char type, name[256];
		uint64_t addr;
		size_t l;

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (!addr)
			continue; /* addresses hidden from us */
		if (k->n == cap) {
			struct ksym *ns;

			cap = cap ? cap * 2 : 65536;
			ns = realloc(k->s, cap * sizeof(*ns));
			if (!ns)
				goto fail_f;
			k->s = ns;
		}
		l = strlen(name) + 1;
		if (k->names_len + l > ncap) {
			char *nn;

			ncap = ncap ? ncap * 2 : 1 << 20;
			nn = realloc(k->names, ncap);
			if (!nn)
				goto fail_f;
			k->names = nn;
		}
		memcpy(k->names + k->names_len, name, l);
		k->s[k->n].addr = addr;
		k->s[k->n].name_off = (uint32_t)k->names_len;
		k->names_len += l;
		k->n++;
	}
	fclose(f);
	if (!k->n)
		goto fail;
	qsort(k->s, k->n, sizeof(*k->s), cmp);
	return k;
fail_f:
	fclose(f);
fail:
	ksyms__free(k);
	return NULL;
}

struct ksyms *ksyms__load_iter(void)
{
	struct ksym_iter_bpf *skel = ksym_iter_bpf__open_and_load();
	struct bpf_link *link = NULL;
	struct ksyms *k = NULL;
	int fd = -1;
	FILE *f;

	if (!skel) {
		pr_info("no kernel symbols through the ksym iterator (kernel 6.0+): %s",
			strerror(errno));
		return NULL;
	}
	link = bpf_program__attach_iter(skel->progs.bpfcap_ksyms, NULL);
	if (link)
		fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		pr_info("no kernel symbols through the ksym iterator: %s", strerror(errno));
		goto out;
	}
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		goto out;
	}
	k = parse(f);
out:
	bpf_link__destroy(link);
	ksym_iter_bpf__destroy(skel);
	return k;
}

struct ksyms *ksyms__load(const char *path)
{
	FILE *f = fopen(path ? path : "/proc/kallsyms", "re");
	struct ksyms *k = f ? parse(f) : NULL;

	/* /proc/kallsyms hides addresses from a process without CAP_SYSLOG (the extcap run by a
	 * member of group wireshark): read them through the BPF ksym iterator instead */
	if (!k && !path)
		k = ksyms__load_iter();
	return k;
}

void ksyms__free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->s);
	free(k->names);
	free(k);
}

int ksyms__format(const struct ksyms *k, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi;

	if (!k || !k->n || addr < k->s[0].addr)
		return -1;
	hi = k->n;
	while (hi - lo > 1) { /* last symbol with s.addr <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (k->s[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (addr - k->s[lo].addr > (1u << 20))
		return -1; /* too far from any text symbol: not ours */
	snprintf(buf, len, "%s+0x%" PRIx64, k->names + k->s[lo].name_off, addr - k->s[lo].addr);
	return 0;
}

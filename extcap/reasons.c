// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "reasons.h"

#define SUBSYS_SHIFT 16

struct reason {
	uint32_t value;
	char *name;
};

struct reasons {
	struct reason *core; /* sorted by value */
	size_t ncore;
	struct reason *subsys_names; /* skb_drop_reason_subsys: value -> name */
	size_t nsubsys;
	struct reason *sub; /* reasons of subsystem enums */
	size_t nsub;
};

static const char *strip(const char *n)
{
	if (!strncmp(n, "SKB_DROP_REASON_SUBSYS_", 23))
		return n + 23;
	if (!strncmp(n, "SKB_DROP_REASON_", 16))
		return n + 16;
	if (!strncmp(n, "SKB_", 4))
		return n + 4;
	return n;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

static int add(struct reason **arr, size_t *n, uint32_t value, const char *name)
{
	struct reason *na = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!na)
		return -ENOMEM;
	*arr = na;
	na[*n].value = value;
	na[*n].name = strdup(name);
	if (!na[*n].name)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int enum_collect(const struct btf *btf, const struct btf_type *t, struct reason **arr,
			size_t *n, int skip_sentinels)
{
	const struct btf_enum *e = btf_enum(t);
	int i, vlen = btf_vlen(t);

	for (i = 0; i < vlen; i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);

		if (skip_sentinels && (!strcmp(name, "SKB_DROP_REASON_MAX") || name[0] == '_'))
			continue;
		/* SKB_DROP_REASON_SUBSYS_MASK (0xffff0000) and the like: not a reason */
		if (skip_sentinels && (uint32_t)e[i].val >> SUBSYS_SHIFT)
			continue;
		if (add(arr, n, (uint32_t)e[i].val, strip(name)))
			return -ENOMEM;
	}
	return 0;
}

struct reasons *reasons__new(const struct btf *btf)
{
	struct reasons *r = calloc(1, sizeof(*r));
	__u32 i, cnt;
	int id;

	if (!r)
		return NULL;
	if (!btf)
		return r;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id > 0 && enum_collect(btf, btf__type_by_id(btf, id), &r->core, &r->ncore, 1))
		goto nomem;
	id = btf__find_by_name_kind(btf, "skb_drop_reason_subsys", BTF_KIND_ENUM);
	if (id > 0 && enum_collect(btf, btf__type_by_id(btf, id), &r->subsys_names, &r->nsubsys, 1))
		goto nomem;
	/* Subsystem reasons live in other enums whose values carry the subsystem id in the upper
	 * 16 bits (e.g. enum ovs_drop_reason, enum mac80211_drop_reason). */
	if (r->nsubsys) {
		cnt = btf__type_cnt(btf);
		for (i = 1; i < cnt; i++) {
			const struct btf_type *t = btf__type_by_id(btf, i);
			const struct btf_enum *e;
			const char *tn;
			int k, vlen, is_sub = 0;
			size_t tl;

			if (!btf_is_enum(t))
				continue;
			tn = btf__name_by_offset(btf, t->name_off);
			/* subsystem enums are named <subsys>_drop_reason (ovs_drop_reason,
			 * mac80211_drop_reason); other enums share their bit patterns (e.g.
			 * enum ip6_defrag_users has 131073) */
			tl = strlen(tn);
			if (tl < 12 || strcmp(tn + tl - 12, "_drop_reason") != 0 ||
			    !strcmp(tn, "skb_drop_reason"))
				continue;
			e = btf_enum(t);
			vlen = btf_vlen(t);
			/* an enum of subsystem reasons starts at SUBSYS << 16 */
			for (k = 0; k < vlen && !is_sub; k++) {
				uint32_t v = (uint32_t)e[k].val;
				size_t s;

				if ((v & 0xffff) != 0 || (v >> SUBSYS_SHIFT) == 0)
					continue;
				for (s = 0; s < r->nsubsys; s++)
					if (r->subsys_names[s].value == v >> SUBSYS_SHIFT &&
					    strcmp(r->subsys_names[s].name, "CORE") != 0 &&
					    strcmp(r->subsys_names[s].name, "NUM") != 0)
						is_sub = 1;
			}
			if (!is_sub)
				continue;
			for (k = 0; k < vlen; k++) {
				const char *n = btf__name_by_offset(btf, e[k].name_off);
				uint32_t v = (uint32_t)e[k].val;

				if ((v >> SUBSYS_SHIFT) == 0 || n[0] == '_')
					continue;
				if (add(&r->sub, &r->nsub, v, n))
					goto nomem;
			}
		}
	}
	if (r->ncore) /* qsort/bsearch want a non-NULL base, even for 0 elements */
		qsort(r->core, r->ncore, sizeof(*r->core), cmp_reason);
	if (r->nsub)
		qsort(r->sub, r->nsub, sizeof(*r->sub), cmp_reason);
	return r;
nomem:
	reasons__free(r);
	errno = ENOMEM;
	return NULL;
}

static void free_arr(struct reason *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(a[i].name);
	free(a);
}

void reasons__free(struct reasons *r)
{
	if (!r)
		return;
	free_arr(r->core, r->ncore);
	free_arr(r->subsys_names, r->nsubsys);
	free_arr(r->sub, r->nsub);
	free(r);
}

static const char *lookup(const struct reason *a, size_t n, uint32_t v)
{
	struct reason key = { .value = v };
	const struct reason *f = n ? bsearch(&key, a, n, sizeof(*a), cmp_reason) : NULL;

	return f ? f->name : NULL;
}

const char *reasons__name(struct reasons *r, uint32_t value)
{
	if (!r)
		return NULL;
	if (value >> SUBSYS_SHIFT)
		return lookup(r->sub, r->nsub, value);
	return lookup(r->core, r->ncore, value);
}

const char *reasons__subsys(struct reasons *r, uint32_t value)
{
	size_t i;

	if (!(value >> SUBSYS_SHIFT))
		return "CORE";
	for (i = 0; r && i < r->nsubsys; i++)
		if (r->subsys_names[i].value == value >> SUBSYS_SHIFT)
			return r->subsys_names[i].name;
	return NULL;
}

int64_t reasons__value(struct reasons *r, const char *name)
{
	const char *n = strip(name);
	size_t i;

	for (i = 0; r && i < r->ncore; i++)
		if (!strcmp(r->core[i].name, n))
			return r->core[i].value;
	for (i = 0; r && i < r->nsub; i++)
		if (!strcmp(r->sub[i].name, name))
			return r->sub[i].value;
	return -1;
}

size_t reasons__count(struct reasons *r)
{
	return r ? r->ncore : 0;
}

const char *reasons__at(struct reasons *r, size_t i, uint32_t *value)
{
	if (!r || i >= r->ncore)
		return NULL;
	if (value)
		*value = r->core[i].value;
	return r->core[i].name;
}

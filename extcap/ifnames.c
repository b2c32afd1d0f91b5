// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Used when the BPF program could not read the device name (no skb->dev, only skb_iif): find a
 * handle on the namespace (/run/netns/<name> or /proc/<pid>/ns/net), enter it in a short-lived
 * thread (network namespaces are per thread) and ask the kernel there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>

#include "ifnames.h"

struct cached {
	uint32_t netns, ifindex;
	char name[IF_NAMESIZE];
	int ok;
};

static struct cached cache[64];
static unsigned cache_next;

uint32_t ifnames_own_netns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return (uint32_t)st.st_ino;
}

static int open_netns(uint32_t ino)
{
	char path[300];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd;

	dir = opendir("/run/netns");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		if (stat(path, &st) == 0 && st.st_ino == ino) {
			closedir(dir);
			return open(path, O_RDONLY | O_CLOEXEC);
		}
	}
	if (dir)
		closedir(dir);
	dir = opendir("/proc");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		if (stat(path, &st) == 0 && st.st_ino == ino) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				closedir(dir);
				return fd;
			}
		}
	}
	if (dir)
		closedir(dir);
	return -1;
}

struct job {
	int fd;
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	int ok;
	int to_index;
};

static void *in_ns(void *arg)
{
	struct job *j = arg;

	if (setns(j->fd, CLONE_NEWNET) != 0)
		return NULL;
	if (j->to_index) {
		j->ifindex = if_nametoindex(j->name);
		j->ok = j->ifindex != 0;
	} else if (if_indextoname(j->ifindex, j->name)) {
		j->ok = 1;
	}
	return NULL;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int ifnames_netns_arg(const char *arg, uint32_t *ino, char *err, size_t errlen)
{
	struct stat st;
	int fd, type;

	if (all_digits(arg)) {
		unsigned long long v = strtoull(arg, NULL, 10);

		if (v == 0 || v > UINT32_MAX) {
			snprintf(err, errlen, "invalid network namespace inode '%s'", arg);
			return -1;
		}
		*ino = (uint32_t)v;
		return 0;
	}
	fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open network namespace '%s': %s", arg,
			 strerror(errno));
		return -1;
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET || fstat(fd, &st) < 0) {
		close(fd);
		snprintf(err, errlen,
			 "'%s' is not a network namespace; use /run/netns/NAME, /proc/PID/ns/net "
			 "or an inode number",
			 arg);
		return -1;
	}
	close(fd);
	*ino = (uint32_t)st.st_ino;
	return 0;
}

int ifnames_device_arg(const char *arg, uint32_t netns, uint32_t *ifindex, char *err, size_t errlen)
{
	struct job j = { .fd = -1, .to_index = 1 };
	pthread_t th;

	if (all_digits(arg)) {
		unsigned long long v = strtoull(arg, NULL, 10);

		if (v == 0 || v > INT32_MAX) {
			snprintf(err, errlen, "invalid interface index '%s'", arg);
			return -1;
		}
		*ifindex = (uint32_t)v;
		return 0;
	}
	if (strlen(arg) >= IF_NAMESIZE) {
		snprintf(err, errlen, "invalid device name '%s' (too long)", arg);
		return -1;
	}
	snprintf(j.name, sizeof(j.name), "%s", arg);
	if (!netns || netns == ifnames_own_netns()) {
		j.ifindex = if_nametoindex(arg);
		j.ok = j.ifindex != 0;
	} else {
		j.fd = open_netns(netns);
		if (j.fd >= 0 && pthread_create(&th, NULL, in_ns, &j) == 0)
			pthread_join(th, NULL);
		if (j.fd >= 0)
			close(j.fd);
	}
	if (!j.ok) {
		snprintf(err, errlen, "no network device '%s'%s; see 'ip link'", arg,
			 netns && netns != ifnames_own_netns() ? " in that network namespace" : "");
		return -1;
	}
	*ifindex = j.ifindex;
	return 0;
}

int ifnames_lookup(uint32_t netns, uint32_t ifindex, char *buf, size_t len)
{
	struct job j = { .fd = -1, .ifindex = ifindex };
	struct cached *c;
	pthread_t th;
	unsigned i;

	for (i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
		if (cache[i].netns == netns && cache[i].ifindex == ifindex && cache[i].netns) {
			if (!cache[i].ok)
				return -1;
			snprintf(buf, len, "%s", cache[i].name);
			return 0;
		}
	if (!netns || netns == ifnames_own_netns()) {
		j.ok = if_indextoname(ifindex, j.name) != NULL;
	} else {
		j.fd = open_netns(netns);
		if (j.fd >= 0 && pthread_create(&th, NULL, in_ns, &j) == 0)
			pthread_join(th, NULL);
		if (j.fd >= 0)
			close(j.fd);
	}
	c = &cache[cache_next++ % (sizeof(cache) / sizeof(cache[0]))];
	c->netns = netns ? netns : ifnames_own_netns();
	c->ifindex = ifindex;
	c->ok = j.ok;
	snprintf(c->name, sizeof(c->name), "%s", j.ok ? j.name : "");
	if (!j.ok)
		return -1;
	snprintf(buf, len, "%s", j.name);
	return 0;
}

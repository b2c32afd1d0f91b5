// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "trust.h"

static enum log_level cur_level = LOG_WARN;
static FILE *log_file;
static int stderr_errors_only;

void log_setup(enum log_level level, const char *file, int errors_only_on_stderr)
{
	cur_level = level;
	stderr_errors_only = errors_only_on_stderr;
	if (file)
		log_set_file(file);
}

enum log_level log_get_level(void)
{
	return cur_level;
}

int log_set_file(const char *path)
{
	FILE *f = fopen(path, "ae");

	if (!f)
		return -errno;
	if (log_file)
		fclose(log_file);
	log_file = f;
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

FILE *log_stream(void)
{
	return log_file;
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	va_list ap2;

	if (level > cur_level)
		return;
	if (log_file) {
		va_copy(ap2, ap);
		fprintf(log_file, "bpfcap %s: ", names[level]);
		vfprintf(log_file, fmt, ap2);
		fputc('\n', log_file);
		va_end(ap2);
	}
	if (level == LOG_ERROR || (!stderr_errors_only && !log_file)) {
		fputs(level == LOG_ERROR  ? "bpfcap: "
		      : level == LOG_WARN ? "bpfcap: warning: "
					  : "bpfcap: ",
		      stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int log_errno(int err, const char *what, ...)
{
	char buf[512], msg[256];
	va_list ap;

	va_start(ap, what);
	vsnprintf(buf, sizeof(buf), what, ap);
	va_end(ap);
	if (err < 0 && err > -4096)
		libbpf_strerror(err, msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "error %d", err);
	log_msg(LOG_ERROR, "failed to %s: %s", buf, msg);
	return err;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t log_scrub_addresses(char *s)
{
	size_t n = 0;
	char *r = s, *w = s;

	while (*r) {
		char *p = r;
		size_t len = 0;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		while (is_hex(p[len]))
			len++;
		/* a run of 12 or more hex digits that starts a word: a kernel address (the
		 * verifier prints map and .rodata pointers to a loader with CAP_PERFMON) */
		if (len >= 12 && (r == s || !(isalnum((unsigned char)r[-1]) || r[-1] == '_')) &&
		    !isalnum((unsigned char)p[len]) && p[len] != '_') {
			static const char hidden[] = "(hidden)";

			/* the replacement is never longer than what it replaces (12+ characters) */
			memcpy(w, hidden, sizeof(hidden) - 1);
			w += sizeof(hidden) - 1;
			r = p + len;
			n++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return n;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf = NULL;
	size_t n;

	if (level == LIBBPF_DEBUG && cur_level < LOG_DEBUG)
		return 0;
	if (cur_level < LOG_INFO)
		return 0; /* bpfcap reports failures itself, in one line */
	if (vasprintf(&buf, fmt, ap) < 0)
		return 0;
	/* file capabilities: the caller may not see kernel addresses (docs/security.md) */
	if (trust_restricted())
		log_scrub_addresses(buf);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* verifier logs are long: no prefix games, libbpf's text as is */
	log_msg(level == LIBBPF_DEBUG ? LOG_DEBUG : LOG_INFO, "%s", buf);
	free(buf);
	return 0;
}

void log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A minimal unit-test harness (docs/style.md C9). Every check names itself and prints file:line,
 * the actual and the expected value; failures are counted and the run goes on. A test binary
 * ends with TEST_EXIT(), which prints exactly "N passed, M failed" and exits 0 or 1.
 *
 *   exit 0   every check passed
 *   exit 1   at least one check failed
 *   exit 77  a required tool (tshark, capinfos) is missing: ctest reports the test as skipped
 *   exit 99  harness fault (temp dir, fork, ...): not a verdict on the code under test
 */
#ifndef BPFCAP_TEST_H
#define BPFCAP_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>
#include <sys/wait.h>

#define TEST_EXIT_SKIP	77
#define TEST_EXIT_SETUP 99

static unsigned test_passed, test_failed;
static bool test_skipped;

static inline bool test_report(bool ok, const char *file, int line, const char *name)
{
	if (ok) {
		test_passed++;
		return true;
	}
	test_failed++;
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, name);
	return false;
}

/* Integer equality; both sides are shown signed and in hex. */
#define ASSERT_EQ(actual, expected, name)                                                          \
	({                                                                                         \
		long long a_ = (long long)(actual), e_ = (long long)(expected);                    \
		bool ok_ = test_report(a_ == e_, __FILE__, __LINE__, name);                        \
		if (!ok_)                                                                          \
			fprintf(stderr,                                                            \
				"    actual:   %lld (0x%llx)  [%s]\n"                              \
				"    expected: %lld (0x%llx)  [%s]\n",                             \
				a_, (unsigned long long)a_, #actual, e_, (unsigned long long)e_,   \
				#expected);                                                        \
		ok_;                                                                               \
	})

#define ASSERT_NE(actual, unexpected, name)                                                        \
	({                                                                                         \
		long long a_ = (long long)(actual), e_ = (long long)(unexpected);                  \
		bool ok_ = test_report(a_ != e_, __FILE__, __LINE__, name);                        \
		if (!ok_)                                                                          \
			fprintf(stderr, "    actual:   %lld  [%s], expected anything else\n", a_,  \
				#actual);                                                          \
		ok_;                                                                               \
	})

#define ASSERT_TRUE(cond, name)                                                                    \
	({                                                                                         \
		bool ok_ = test_report(!!(cond), __FILE__, __LINE__, name);                        \
		if (!ok_)                                                                          \
			fprintf(stderr, "    expected true: %s\n", #cond);                         \
		ok_;                                                                               \
	})

/* String equality; NULL is shown as (null) and only equals NULL. */
#define ASSERT_STR(actual, expected, name)                                                         \
	({                                                                                         \
		const char *as_ = (actual), *es_ = (expected);                                     \
		bool ok_ = test_report(as_ && es_ ? strcmp(as_, es_) == 0 : as_ == es_, __FILE__,  \
				       __LINE__, name);                                            \
		if (!ok_)                                                                          \
			fprintf(stderr, "    actual:   \"%s\"\n    expected: \"%s\"\n",            \
				as_ ? as_ : "(null)", es_ ? es_ : "(null)");                       \
		ok_;                                                                               \
	})

/* Substring: haystack contains needle. */
#define ASSERT_CONTAINS(haystack, needle, name)                                                    \
	({                                                                                         \
		const char *h_ = (haystack), *n_ = (needle);                                       \
		bool ok_ = test_report(h_ && n_ && strstr(h_, n_), __FILE__, __LINE__, name);      \
		if (!ok_)                                                                          \
			fprintf(stderr, "    actual:   \"%s\"\n    expected to contain: \"%s\"\n", \
				h_ ? h_ : "(null)", n_ ? n_ : "(null)");                           \
		ok_;                                                                               \
	})

/* Negated substring: haystack does not contain needle. */
#define ASSERT_NOT_CONTAINS(haystack, needle, name)                                                \
	({                                                                                         \
		const char *h_ = (haystack), *n_ = (needle);                                       \
		bool ok_ = test_report(h_ && n_ && !strstr(h_, n_), __FILE__, __LINE__, name);     \
		if (!ok_)                                                                          \
			fprintf(stderr,                                                            \
				"    actual:   \"%s\"\n    expected not to contain: \"%s\"\n",     \
				h_ ? h_ : "(null)", n_ ? n_ : "(null)");                           \
		ok_;                                                                               \
	})

/* A fault of the test itself (temp file, fork, tool output that cannot be parsed). */
static inline void test_setup_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static inline void test_setup_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "HARNESS FAULT %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%u passed, %u failed\n", test_passed, test_failed);
	fflush(NULL);
	exit(TEST_EXIT_SETUP);
}

#define SETUP_FAIL(...) test_setup_fail(__FILE__, __LINE__, __VA_ARGS__)

/* Marks the run as skipped (a tool is missing); checks that did run still count. */
static inline void test_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	test_skipped = true;
}

#define TEST_SECTION(name) printf("# %s\n", name)

static inline int test_exit(void)
{
	printf("%u passed, %u failed\n", test_passed, test_failed);
	fflush(NULL);
	if (test_failed)
		return 1;
	return test_skipped ? TEST_EXIT_SKIP : 0;
}

#define TEST_EXIT() return test_exit()

/* True when an executable of that name is on PATH. */
static inline bool test_have_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Runs a shell command, collects its stdout (NUL-terminated, truncated to cap - 1) and returns
 * its exit status (0..255), or -1 when it could not run or was killed. */
static inline int test_run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0, r;
	int st;

	if (!p)
		SETUP_FAIL("popen '%s': %s", cmd, strerror(errno));
	if (cap)
		out[0] = '\0';
	while (cap && n < cap - 1 && (r = fread(out + n, 1, cap - 1 - n, p)) > 0)
		n += r;
	if (cap)
		out[n] = '\0';
	while (fgetc(p) != EOF) /* drain what does not fit */
		;
	st = pclose(p);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static inline int test_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes a temp directory of the test (kept when BPFCAP_TEST_KEEP is set, for debugging). */
static inline void test_cleanup_dir(const char *dir)
{
	if (getenv("BPFCAP_TEST_KEEP")) {
		printf("files kept in %s\n", dir);
		return;
	}
	if (nftw(dir, test_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "warning: could not remove %s: %s\n", dir, strerror(errno));
}

#endif /* BPFCAP_TEST_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef BPFCAP_LOG_H
#define BPFCAP_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Errors go to stderr as one line "bpfcap: ..." (Wireshark shows them to the user).
 * Warnings/info/debug go to stderr in CLI mode, and to --log-file (or nowhere) in extcap mode. */
void log_setup(enum log_level level, const char *file, int errors_only_on_stderr);
enum log_level log_get_level(void);
int log_set_file(const char *path);
void log_close(void);
/* The log file, or NULL when logging goes to stderr / nowhere. */
#include <stdio.h>
FILE *log_stream(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs "bpfcap: failed to <what>: <strerror(-err)>" and returns err. */
int log_errno(int err, const char *what, ...) __attribute__((format(printf, 2, 3)));
/* Installs the libbpf print callback (libbpf debug output only at LOG_DEBUG, never stderr in
 * extcap mode). */
void log_libbpf(void);
/* Replaces every kernel address in s (a word of 12 or more hex digits, with or without 0x) with
 * "(hidden)", in place; returns how many. libbpf's messages go through it when bpfcap runs with
 * file capabilities. */
size_t log_scrub_addresses(char *s);

#define pr_err(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif

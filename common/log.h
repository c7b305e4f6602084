/* log: the one process-wide logger (configured once at start-up in main).
 * Lines go to stderr as "2026-11-23T04:22:47Z mashd INFO message", or as JSON
 * lines ({"ts":...,"program":...,"level":"info","msg":...}) for log
 * collectors. The level may be changed later from any thread (SIGHUP).
 * Never log plaintext child data: log ids, counts and principals only. */
#ifndef MASH_LOG_H
#define MASH_LOG_H

#include <stddef.h>

enum { MASH_LOG_DEBUG = 0, MASH_LOG_INFO = 1, MASH_LOG_WARN = 2, MASH_LOG_ERROR = 3 };

/* Set the program name shown on each line and the lowest level printed. */
void mash_log_init(const char *program, int level);

/* Change the lowest level printed (any thread; e.g. on SIGHUP). */
void mash_log_set_level(int level);

enum { MASH_LOG_TEXT = 0, MASH_LOG_JSON = 1 };

/* Choose plain text or JSON lines (any thread). */
void mash_log_set_format(int format);

/* Parse "text" or "json"; returns -1 when unknown. */
int mash_log_format_parse(const char *s);

/* Send every later line (and anything else the process writes to stderr)
 * to PATH, appended, created mode 0640 if missing. Called again with the
 * same path after a log rotation (logrotate's move, then SIGHUP), it opens
 * the new file in place of the moved one; stderr is swapped with dup2, so no
 * line is lost or torn across the swap. Returns 0, or -errno with the reason
 * (path and system text) in err; stderr is unchanged then. Any thread. */
int mash_log_open_file(const char *path, char *err, size_t errlen);

/* The level's name ("debug", "info", "warn", "error"). */
const char *mash_log_level_name(int level);

/* Parse "debug", "info", "warn", "error"; returns -1 when unknown. */
int mash_log_level_parse(const char *s);

void mash_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like mash_log, but at most MASH_LOG_BURST lines per call site (its format
 * string) in each MASH_LOG_WINDOW_MS; the lines held back are counted and
 * the count is given on the next line let through ("(37 more like this
 * were held back)"). For anything a peer or a fault can repeat at will: bad
 * frames, failing writes. Any thread. */
void mash_log_limited(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Tests: the monotonic clock (milliseconds) mash_log_limited windows on;
 * NULL restores the real one. */
void mash_log_set_clock(long long (*now_ms)(void));

#define MASH_LOG_BURST 5
#define MASH_LOG_WINDOW_MS 10000

#define mash_warn_limited(...) mash_log_limited(MASH_LOG_WARN, __VA_ARGS__)
#define mash_error_limited(...) mash_log_limited(MASH_LOG_ERROR, __VA_ARGS__)

#define mash_debug(...) mash_log(MASH_LOG_DEBUG, __VA_ARGS__)
#define mash_info(...) mash_log(MASH_LOG_INFO, __VA_ARGS__)
#define mash_warn(...) mash_log(MASH_LOG_WARN, __VA_ARGS__)
#define mash_error(...) mash_log(MASH_LOG_ERROR, __VA_ARGS__)

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * agent_load.h - the load figure of l4lb-agent: how much of its weight a
 * backend should get, as a percentage, from the machine's own CPU and
 * memory.
 *
 * CPU: the share of idle time over a window, from the aggregate "cpu"
 * line of /proc/stat (proc(5)): idle + iowait over the sum of user, nice,
 * system, idle, iowait, irq, softirq and steal, as the difference of two
 * samples. guest and guest_nice are left out: they are already counted in
 * user and nice.
 *
 * Memory: MemAvailable / MemTotal of /proc/meminfo (proc(5)), in percent.
 *
 * The figure: the lower of the two (source "min", the default), or one of
 * them ("cpu", "mem"), clamped to [min, max] (default [1, 100]).
 */
#ifndef L4LB_AGENT_LOAD_H
#define L4LB_AGENT_LOAD_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct cpu_sample - the aggregate CPU times of /proc/stat
 * @idle: idle + iowait, in USER_HZ ticks
 * @total: every field counted, idle included, in USER_HZ ticks
 */
struct cpu_sample {
	uint64_t idle;
	uint64_t total;
};

/**
 * enum load_source - what the figure follows
 * @LOAD_MIN: the lower of the CPU and the memory figures
 * @LOAD_CPU: idle CPU only
 * @LOAD_MEM: available memory only
 */
enum load_source {
	LOAD_MIN,
	LOAD_CPU,
	LOAD_MEM,
};

/**
 * load_parse_stat() - read the "cpu" line of a /proc/stat text
 * @text: the file's text, NUL-terminated
 * @s: out
 *
 * Return: 0, or -1 if there is no well-formed "cpu " line with at least
 * the four fields user, nice, system and idle.
 */
int load_parse_stat(const char *text, struct cpu_sample *s);

/**
 * load_cpu_pct() - idle CPU between two samples, in percent
 * @prev: the earlier sample
 * @cur: the later sample
 *
 * Return: 0..100; 100 if no time passed (or the counters went back).
 */
uint32_t load_cpu_pct(const struct cpu_sample *prev,
		      const struct cpu_sample *cur);

/**
 * load_parse_meminfo() - available memory of a /proc/meminfo text
 * @text: the file's text, NUL-terminated
 * @pct: out, 100 * MemAvailable / MemTotal, 0..100
 *
 * Return: 0, or -1 if MemTotal (non-zero) or MemAvailable is missing.
 */
int load_parse_meminfo(const char *text, uint32_t *pct);

/**
 * load_figure() - the percentage to answer
 * @source: enum load_source
 * @cpu_pct: idle CPU, 0..100
 * @mem_pct: available memory, 0..100
 * @min: lowest answer, 0..256
 * @max: highest answer, @min..256
 *
 * Return: the figure of @source, clamped to [@min, @max].
 */
uint32_t load_figure(enum load_source source, uint32_t cpu_pct,
		     uint32_t mem_pct, uint32_t min, uint32_t max);

#endif /* L4LB_AGENT_LOAD_H */

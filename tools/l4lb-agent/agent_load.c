// SPDX-License-Identifier: GPL-2.0
/*
 * agent_load.c - l4lb-agent's load figure. See agent_load.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent_load.h"

/* /proc/stat's cpu fields: user nice system idle iowait irq softirq steal. */
#define STAT_FIELDS 8

int load_parse_stat(const char *text, struct cpu_sample *s)
{
	uint64_t v[STAT_FIELDS] = { 0 };
	const char *line = text;
	int n, i;

	/* The aggregate line is "cpu " (the per-CPU ones are "cpuN "). */
	while (line && strncmp(line, "cpu ", 4)) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line)
		return -1;
	n = sscanf(line + 4, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
		   " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (n < 4)
		return -1;
	s->idle = v[3] + v[4];
	s->total = 0;
	for (i = 0; i < STAT_FIELDS; i++)
		s->total += v[i];
	return 0;
}

uint32_t load_cpu_pct(const struct cpu_sample *prev,
		      const struct cpu_sample *cur)
{
	uint64_t total, idle;

	if (cur->total <= prev->total || cur->idle < prev->idle)
		return 100;
	total = cur->total - prev->total;
	idle = cur->idle - prev->idle;
	if (idle > total)
		return 100;
	return (uint32_t)(idle * 100 / total);
}

/* The value of "@key: N kB" in @text, or -1. */
static int meminfo_kb(const char *text, const char *key, uint64_t *kb)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line) {
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return sscanf(line + klen + 1, "%" SCNu64, kb) == 1 ?
			       0 : -1;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

int load_parse_meminfo(const char *text, uint32_t *pct)
{
	uint64_t total, avail;

	if (meminfo_kb(text, "MemTotal", &total) < 0 || !total ||
	    meminfo_kb(text, "MemAvailable", &avail) < 0)
		return -1;
	if (avail > total)
		avail = total;
	*pct = (uint32_t)(avail * 100 / total);
	return 0;
}

uint32_t load_figure(enum load_source source, uint32_t cpu_pct,
		     uint32_t mem_pct, uint32_t min, uint32_t max)
{
	uint32_t f;

	switch (source) {
	case LOAD_CPU:
		f = cpu_pct;
		break;
	case LOAD_MEM:
		f = mem_pct;
		break;
	default:
		f = cpu_pct < mem_pct ? cpu_pct : mem_pct;
		break;
	}
	if (f < min)
		f = min;
	return f > max ? max : f;
}

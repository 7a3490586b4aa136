/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prom.h - a writer of the Prometheus text exposition format (version
 * 0.0.4), as node_exporter's textfile collector and "promtool check
 * metrics" read it:
 *
 *	# HELP l4lb_backend_weight Configured weight of the backend.
 *	# TYPE l4lb_backend_weight gauge
 *	l4lb_backend_weight{vip="10.0.0.1",backend="10.0.1.1:80"} 3
 *
 * A metric family is its HELP and TYPE lines, then all its samples,
 * together: call prom_family(), then prom_sample() for each of its
 * series, then the next family. A family without samples prints nothing.
 * Label values and help text are escaped as the format says (backslash,
 * double quote in label values, line feed). No timestamps: the scraper
 * (or node_exporter) stamps the samples.
 */
#ifndef L4LB_PROM_H
#define L4LB_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The metric types this writer prints. */
enum prom_type {
	PROM_GAUGE,	/* a value that goes up and down */
	PROM_COUNTER,	/* only goes up (or back to 0); name ends in _total */
};

/**
 * struct prom_label - one label of a sample
 * @name: the label name, [a-zA-Z_][a-zA-Z0-9_]*, not escaped
 * @value: any UTF-8 text; escaped on output
 */
struct prom_label {
	const char *name;
	const char *value;
};

/**
 * struct prom - the writer's state
 * @f: the stream
 * @name: the current family's name, NULL before the first
 * @help: its help text
 * @type: its type
 * @started: its HELP and TYPE lines were printed
 */
struct prom {
	FILE *f;
	const char *name;
	const char *help;
	enum prom_type type;
	bool started;
};

/* Room a formatted value needs (a u64 with a decimal point), with the NUL. */
#define PROM_VALUE_LEN 32

/**
 * prom_init() - start writing to @f
 * @p: writer
 * @f: the stream
 */
void prom_init(struct prom *p, FILE *f);

/**
 * prom_family() - start a metric family
 * @p: writer
 * @name: metric name, [a-zA-Z_:][a-zA-Z0-9_:]*; a counter's ends in
 *	"_total". Kept by pointer until the next family.
 * @type: its type
 * @help: one line saying what it is; escaped on output. Kept by pointer.
 *
 * Its HELP and TYPE lines are printed before its first sample.
 */
void prom_family(struct prom *p, const char *name, enum prom_type type,
		 const char *help);

/**
 * prom_sample() - print one sample of the current family
 * @p: writer, after prom_family()
 * @labels: its labels, in this order; may be NULL if @n is 0
 * @n: their number
 * @value: the value as the format reads it: a decimal number ("3",
 *	"0.5"), "NaN", "+Inf" or "-Inf"
 */
void prom_sample(struct prom *p, const struct prom_label *labels, size_t n,
		 const char *value);

/**
 * prom_sample_u64() - prom_sample() of an integer
 * @p: writer, after prom_family()
 * @labels: its labels
 * @n: their number
 * @value: the value, printed in decimal (readers hold it as a float64,
 *	exact up to 2^53)
 */
void prom_sample_u64(struct prom *p, const struct prom_label *labels,
		     size_t n, uint64_t value);

/**
 * prom_fmt_centi() - format hundredths as a decimal number
 * @buf: at least PROM_VALUE_LEN bytes
 * @centi: the value times 100 (a percentage, for a ratio)
 *
 * The shortest exact decimal: 50 is "0.5", 256 is "2.56", 100 is "1".
 *
 * Return: @buf.
 */
char *prom_fmt_centi(char *buf, uint64_t centi);

/**
 * prom_fmt_nano() - format nanoseconds as seconds, a decimal number
 * @buf: at least PROM_VALUE_LEN bytes
 * @nanos: the value times 10^9
 *
 * The shortest exact decimal: 1500000000 is "1.5", 42 is "0.000000042".
 *
 * Return: @buf.
 */
char *prom_fmt_nano(char *buf, uint64_t nanos);

#endif /* L4LB_PROM_H */

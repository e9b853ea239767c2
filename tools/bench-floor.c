// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tools/bench-floor: a program that does nothing, the floor of a tool's start time. Built
 * twice by tools/bench-start.sh: static without libraries, and dynamic linking popt and
 * json-c (what nvd-* load) and calling each once, so the loader maps and relocates them.
 */
#ifdef FLOOR_DYNAMIC
#include <json-c/json.h>
#include <popt.h>

static struct poptOption opts[] = { POPT_TABLEEND };
#endif

int main(int argc, const char **argv)
{
#ifdef FLOOR_DYNAMIC
	poptContext ctx = poptGetContext("floor", argc, argv, opts, 0);
	json_object *o = json_object_new_object();

	poptFreeContext(ctx);
	json_object_put(o);
#else
	(void)argc;
	(void)argv;
#endif
	return 0;
}

/* top.h - `alox top` (top.c): the subcommand's entry point. */
#ifndef ALOX_TOOL_TOP_H
#define ALOX_TOOL_TOP_H

/* argv: the arguments after "top". Returns the exit status. */
int cmd_top(int argc, char **argv);

#endif

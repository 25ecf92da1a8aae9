/* From syntax tree to bytecode, with name resolution and type checks. */
#ifndef MN_COMPILE_H
#define MN_COMPILE_H

#include "../util/diag.h"
#include "program.h"

/* Compiles ast (already holding library and scenario) into prog. Returns 0 on error. */
int mn_compile(struct mn_prog *prog, struct ast *ast, struct mn_diag *diag);

#endif

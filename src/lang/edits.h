/* Scenario-level patches of library code: override, delete and move of labelled steps. */
#ifndef MN_EDITS_H
#define MN_EDITS_H

#include "../util/diag.h"
#include "ast.h"

/* Finds the function the scenario will run under this name (after redefinitions). */
struct func *ast_find_func(struct ast *ast, const char *name);

/* Reports a label used twice in one function. Returns 0 on error. */
int ast_check_labels(struct ast *ast, struct mn_diag *diag);

/* Applies every edit in order. Returns 0 on error. */
int ast_apply_edits(struct ast *ast, struct mn_diag *diag);

#endif

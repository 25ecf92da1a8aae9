/* Parsing scenario and library files into one syntax tree. */
#ifndef MN_PARSER_H
#define MN_PARSER_H

#include "../util/diag.h"
#include "ast.h"

/* Parses text (owned by the caller, must outlive the tree) into ast. A library file may
 * hold only functions. Returns 0 and sets diag on error. */
int parse_file(struct ast *ast, const char *file, const char *text, unsigned long len,
	       int is_library, struct mn_diag *diag);
/* The layer given to functions of the library files parsed next (see struct func). */
void parser_set_layer(struct ast *ast, int layer);

/* Reads a whole file into a NUL-terminated buffer kept in ast->texts. */
char *ast_read_file(struct ast *ast, const char *path, unsigned long *len);

#endif

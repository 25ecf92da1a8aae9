/* Tokens of the litmus language. */
#ifndef MN_LEXER_H
#define MN_LEXER_H

#include <stdint.h>

#include "../util/diag.h"

enum tok_kind {
	T_EOF,
	T_IDENT,
	T_INT,
	T_WORD, /* raw word after `kernel`: linux-6.1 */
	/* keywords */
	T_LITMUS, T_KERNEL, T_SHARED, T_MUTEX, T_INTKW, T_HANDLE, T_VOID, T_IF, T_ELSE,
	T_WHILE, T_FOR, T_BREAK, T_CONTINUE, T_RETURN, T_ATOMIC, T_AWAIT, T_OVERRIDE,
	T_DELETE, T_MOVE, T_AFTER, T_EXISTS, T_FORBID, T_EXPECT,
	/* punctuation */
	T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_SEMI, T_COMMA,
	T_COLON, T_DOT, T_AT, T_ASSIGN, T_PLUSEQ, T_MINUSEQ, T_PLUS, T_MINUS, T_STAR,
	T_SLASH, T_PERCENT, T_SHL, T_SHR, T_LT, T_LE, T_GT, T_GE, T_EQ, T_NE, T_AMP,
	T_CARET, T_PIPE, T_ANDAND, T_OROR, T_BANG, T_TILDE,
	T_NKINDS
};

struct token {
	enum tok_kind kind;
	const char *start; /* into the source text */
	int len;
	int line, col;
	int64_t ival;
};

struct lexer {
	const char *file;
	const char *src, *p, *end;
	int line;
	const char *line_start;
	int raw_next; /* next token is a raw profile word */
	struct mn_diag *diag;
};

void lexer_init(struct lexer *lx, const char *file, const char *src, unsigned long len,
		struct mn_diag *diag);
/* Returns T_EOF (and sets the diag) on a lexical error. */
struct token lexer_next(struct lexer *lx);
const char *tok_name(enum tok_kind k);

#endif

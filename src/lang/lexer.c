#include "lexer.h"

#include <ctype.h>
#include <string.h>

static const struct {
	const char *word;
	enum tok_kind kind;
} keywords[] = {
	{ "litmus", T_LITMUS }, { "kernel", T_KERNEL }, { "shared", T_SHARED },
	{ "mutex", T_MUTEX }, { "int", T_INTKW }, { "handle", T_HANDLE }, { "void", T_VOID },
	{ "if", T_IF }, { "else", T_ELSE }, { "while", T_WHILE }, { "for", T_FOR },
	{ "break", T_BREAK }, { "continue", T_CONTINUE }, { "return", T_RETURN },
	{ "atomic", T_ATOMIC }, { "await", T_AWAIT }, { "override", T_OVERRIDE },
	{ "delete", T_DELETE }, { "move", T_MOVE }, { "after", T_AFTER },
	{ "exists", T_EXISTS }, { "forbid", T_FORBID }, { "expect", T_EXPECT },
};

static const char *const names[T_NKINDS] = {
	[T_EOF] = "end of file", [T_IDENT] = "identifier", [T_INT] = "integer",
	[T_WORD] = "profile name", [T_LITMUS] = "'litmus'", [T_KERNEL] = "'kernel'",
	[T_SHARED] = "'shared'", [T_MUTEX] = "'mutex'", [T_INTKW] = "'int'",
	[T_HANDLE] = "'handle'", [T_VOID] = "'void'", [T_IF] = "'if'", [T_ELSE] = "'else'",
	[T_WHILE] = "'while'", [T_FOR] = "'for'", [T_BREAK] = "'break'",
	[T_CONTINUE] = "'continue'", [T_RETURN] = "'return'", [T_ATOMIC] = "'atomic'",
	[T_AWAIT] = "'await'", [T_OVERRIDE] = "'override'", [T_DELETE] = "'delete'",
	[T_MOVE] = "'move'", [T_AFTER] = "'after'", [T_EXISTS] = "'exists'",
	[T_FORBID] = "'forbid'", [T_EXPECT] = "'expect'", [T_LPAREN] = "'('",
	[T_RPAREN] = "')'", [T_LBRACE] = "'{'", [T_RBRACE] = "'}'", [T_LBRACK] = "'['",
	[T_RBRACK] = "']'", [T_SEMI] = "';'", [T_COMMA] = "','", [T_COLON] = "':'",
	[T_DOT] = "'.'", [T_AT] = "'@'", [T_ASSIGN] = "'='", [T_PLUSEQ] = "'+='",
	[T_MINUSEQ] = "'-='", [T_PLUS] = "'+'", [T_MINUS] = "'-'", [T_STAR] = "'*'",
	[T_SLASH] = "'/'", [T_PERCENT] = "'%'", [T_SHL] = "'<<'", [T_SHR] = "'>>'",
	[T_LT] = "'<'", [T_LE] = "'<='", [T_GT] = "'>'", [T_GE] = "'>='", [T_EQ] = "'=='",
	[T_NE] = "'!='", [T_AMP] = "'&'", [T_CARET] = "'^'", [T_PIPE] = "'|'",
	[T_ANDAND] = "'&&'", [T_OROR] = "'||'", [T_BANG] = "'!'", [T_TILDE] = "'~'",
};

const char *tok_name(enum tok_kind k)
{
	return names[k];
}

void lexer_init(struct lexer *lx, const char *file, const char *src, unsigned long len,
		struct mn_diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->file = file;
	lx->src = lx->p = lx->line_start = src;
	lx->end = src + len;
	lx->line = 1;
	lx->diag = diag;
}

static int col_of(const struct lexer *lx, const char *at)
{
	return (int)(at - lx->line_start) + 1;
}

static void newline(struct lexer *lx, const char *after)
{
	lx->line++;
	lx->line_start = after;
}

/* Skips blanks and comments; returns 0 on an unterminated block comment. */
static int skip_space(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\n') {
			lx->p++;
			newline(lx, lx->p);
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx->p++;
		} else if (c == '#' || (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			int line = lx->line, col = col_of(lx, lx->p);
			lx->p += 2;
			for (;;) {
				if (lx->p >= lx->end) {
					mn_diag_set(lx->diag, lx->file, line, col,
						    "unterminated comment");
					return 0;
				}
				if (*lx->p == '*' && lx->p + 1 < lx->end && lx->p[1] == '/') {
					lx->p += 2;
					break;
				}
				if (*lx->p == '\n')
					newline(lx, lx->p + 1);
				lx->p++;
			}
		} else {
			break;
		}
	}
	return 1;
}

static int lex_number(struct lexer *lx, struct token *t)
{
	const char *p = lx->p;
	uint64_t v = 0;
	int base = 10, digits = 0;

	if (p[0] == '0' && p + 1 < lx->end && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; p < lx->end && isalnum((unsigned char)*p); p++) {
		int d;
		char c = (char)tolower((unsigned char)*p);
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else {
			mn_diag_set(lx->diag, lx->file, t->line, t->col,
				    "invalid digit '%c' in %s literal", *p,
				    base == 16 ? "hexadecimal" : "integer");
			return 0;
		}
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base ||
		    v * (uint64_t)base + (uint64_t)d > (uint64_t)INT64_MAX) {
			mn_diag_set(lx->diag, lx->file, t->line, t->col,
				    "integer literal too large");
			return 0;
		}
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (!digits) {
		mn_diag_set(lx->diag, lx->file, t->line, t->col,
			    "hexadecimal literal without digits");
		return 0;
	}
	t->ival = (int64_t)v;
	t->len = (int)(p - lx->p);
	lx->p = p;
	return 1;
}

struct token lexer_next(struct lexer *lx)
{
	struct token t = { 0 };

	if (!skip_space(lx)) {
		t.kind = T_EOF;
		return t;
	}
	t.start = lx->p;
	t.line = lx->line;
	t.col = col_of(lx, lx->p);
	if (lx->p >= lx->end) {
		t.kind = T_EOF;
		return t;
	}
	if (lx->raw_next) {
		const char *p = lx->p;
		lx->raw_next = 0;
		while (p < lx->end && (isalnum((unsigned char)*p) || *p == '-' || *p == '.' ||
				       *p == '_'))
			p++;
		if (p > lx->p) {
			t.kind = T_WORD;
			t.len = (int)(p - lx->p);
			lx->p = p;
			return t;
		}
	}
	char c = *lx->p;
	if (isalpha((unsigned char)c) || c == '_') {
		const char *p = lx->p;
		while (p < lx->end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		t.kind = T_IDENT;
		t.len = (int)(p - lx->p);
		lx->p = p;
		for (unsigned i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
			if ((int)strlen(keywords[i].word) == t.len &&
			    !memcmp(keywords[i].word, t.start, (size_t)t.len)) {
				t.kind = keywords[i].kind;
				break;
			}
		}
		if (t.kind == T_KERNEL)
			lx->raw_next = 1;
		return t;
	}
	if (isdigit((unsigned char)c)) {
		t.kind = T_INT;
		if (!lex_number(lx, &t))
			t.kind = T_EOF;
		return t;
	}
	static const struct {
		const char *s;
		enum tok_kind k;
	} punct[] = {
		{ "&&", T_ANDAND }, { "||", T_OROR }, { "==", T_EQ }, { "!=", T_NE },
		{ "<=", T_LE }, { ">=", T_GE }, { "<<", T_SHL }, { ">>", T_SHR },
		{ "+=", T_PLUSEQ }, { "-=", T_MINUSEQ }, { "(", T_LPAREN }, { ")", T_RPAREN },
		{ "{", T_LBRACE }, { "}", T_RBRACE }, { "[", T_LBRACK }, { "]", T_RBRACK },
		{ ";", T_SEMI }, { ",", T_COMMA }, { ":", T_COLON }, { ".", T_DOT },
		{ "@", T_AT }, { "=", T_ASSIGN }, { "+", T_PLUS }, { "-", T_MINUS },
		{ "*", T_STAR }, { "/", T_SLASH }, { "%", T_PERCENT }, { "<", T_LT },
		{ ">", T_GT }, { "&", T_AMP }, { "^", T_CARET }, { "|", T_PIPE },
		{ "!", T_BANG }, { "~", T_TILDE },
	};
	for (unsigned i = 0; i < sizeof(punct) / sizeof(punct[0]); i++) {
		size_t n = strlen(punct[i].s);
		if ((size_t)(lx->end - lx->p) >= n && !memcmp(lx->p, punct[i].s, n)) {
			t.kind = punct[i].k;
			t.len = (int)n;
			lx->p += n;
			return t;
		}
	}
	if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
		mn_diag_set(lx->diag, lx->file, t.line, t.col, "unexpected character '%c'", c);
	else
		mn_diag_set(lx->diag, lx->file, t.line, t.col,
			    "unexpected character (byte 0x%02x)", (unsigned char)c);
	t.kind = T_EOF;
	return t;
}

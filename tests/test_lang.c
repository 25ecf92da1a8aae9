/* The language: lexer, parser errors, edits of library code, interpreter semantics. */
#include <ctype.h>
#include <dirent.h>

#include "support.h"
#include "lang/lexer.h"

static void test_lexer_tokens(void **state)
{
	(void)state;
	struct mn_diag d = { 0 };
	struct lexer lx;
	const char *src = "x = 0x1f + 7; // note\n/* block\n */ P0:r1 <= >> && kernel linux-6.1";
	enum tok_kind want[] = { T_IDENT, T_ASSIGN, T_INT, T_PLUS, T_INT, T_SEMI, T_IDENT,
				 T_COLON, T_IDENT, T_LE, T_SHR, T_ANDAND, T_KERNEL, T_WORD, T_EOF };
	lexer_init(&lx, "t", src, strlen(src), &d);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct token t = lexer_next(&lx);
		assert_int_equal(t.kind, want[i]);
		if (i == 2)
			assert_int_equal(t.ival, 31);
		if (i == 6) {
			assert_int_equal(t.line, 3);
			assert_int_equal(t.col, 5);
		}
		if (want[i] == T_WORD)
			assert_int_equal(t.len, 9);
	}
	assert_false(d.set);
}

static void lex_error(const char *src, int line, int col, const char *word)
{
	struct mn_diag d = { 0 };
	struct lexer lx;
	lexer_init(&lx, "t", src, strlen(src), &d);
	while (lexer_next(&lx).kind != T_EOF)
		;
	assert_true(d.set);
	assert_int_equal(d.line, line);
	assert_int_equal(d.col, col);
	assert_non_null(strstr(d.msg, word));
}

static void test_lexer_errors(void **state)
{
	(void)state;
	lex_error("x = 1;\n  $", 2, 3, "unexpected character");
	lex_error("a /* never\nclosed", 1, 3, "unterminated");
	lex_error("x = 99999999999999999999;", 1, 5, "too large");
	lex_error("x = 0x;", 1, 5, "without digits");
	lex_error("x = 12ab;", 1, 5, "invalid digit");
}

/* Every file in tests/malformed starts with `# expect-error: LINE:COL: WORD`. */
static void test_malformed_corpus(void **state)
{
	(void)state;
	const char *dir = SRC_DIR "/tests/malformed";
	DIR *dh = opendir(dir);
	struct dirent *de;
	int files = 0, bad = 0;
	char report[4096] = "";

	assert_non_null(dh);
	while ((de = readdir(dh))) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".mnl"))
			continue;
		char path[1024], head[256] = "", word[64];
		int line, col;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		if (!fgets(head, sizeof(head), f))
			head[0] = 0;
		fclose(f);
		files++;
		if (sscanf(head, "# expect-error: %d:%d: %63s", &line, &col, word) != 3) {
			snprintf(report + strlen(report), sizeof(report) - strlen(report),
				 "%s: no expect-error header\n", de->d_name);
			bad++;
			continue;
		}
		struct mn_load_opts lo = { SRC_DIR "/lib", NULL };
		struct mn_diag d = { 0 };
		struct mn_prog *p = mn_prog_load(path, &lo, &d);
		char msg[700];
		mn_diag_format(&d, msg, sizeof(msg));
		for (char *c = msg; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (p || d.line != line || d.col != col || !strstr(msg, word) ||
		    strcmp(d.file, path)) {
			snprintf(report + strlen(report), sizeof(report) - strlen(report),
				 "%s: want %d:%d '%s', got %s\n", de->d_name, line, col, word,
				 p ? "no error" : msg);
			bad++;
		}
		mn_prog_free(p);
	}
	closedir(dh);
	if (bad)
		fail_msg("%d of %d malformed files wrong:\n%s", bad, files, report);
	assert_true(files >= 30);
}

static void test_functions_loops_recursion(void **state)
{
	(void)state;
	const char *s =
		"shared out, out2, out3;\n"
		"int fact(int n) { if (n <= 1) return 1; return n * fact(n - 1); }\n"
		"int sum_odd(int n) { int s = 0; for (int i = 0; i < n; i += 1) {\n"
		"  if (i % 2 == 0) continue; if (i > 7) break; s += i; } return s; }\n"
		"void bump(int by) { out3 = out3 + by; }\n"
		"P0 { out = fact(5); int k = 3; while (k > 0) { k -= 1; bump(2); }\n"
		"     out2 = sum_odd(100); r0 = -7 / 2; r1 = -7 % 2; r2 = (1 << 4) | 3 ^ 1; }\n"
		"exists (out == 120 && out2 == 16 && out3 == 6 && P0:r0 == -3 && P0:r1 == -1\n"
		"        && P0:r2 == 18);\n";
	assert_int_equal(verdict(s, "exists"), MN_ALWAYS);
}

static void test_short_circuit(void **state)
{
	(void)state;
	/* If the right operand ran, the index would be out of range and `error` fire. */
	const char *s = "shared v[2], z;\n"
			"P0 { int i = 5; r0 = z && v[i]; r1 = !z || v[i + 4]; }\n"
			"exists (P0:r0 == 0 && P0:r1 == 1);\n";
	assert_int_equal(verdict(s, "error"), MN_NEVER);
	assert_int_equal(verdict(s, "exists"), MN_ALWAYS);
}

static void test_runtime_errors(void **state)
{
	(void)state;
	assert_int_equal(verdict("shared z; P0 { r0 = 1 / z; }", "error"), MN_ALWAYS);
	assert_int_equal(verdict("shared v[2]; P0 { int i = 2; v[i] = 1; }", "error"), MN_ALWAYS);
	assert_int_equal(verdict("mutex m; P0 { unlock(m); }", "error"), MN_ALWAYS);
	assert_int_equal(verdict("int f(int n) { return f(n + 1); } P0 { r0 = f(0); }", "error"),
			 MN_ALWAYS);
	assert_int_equal(verdict("P0 { while (1) { r0 += 1; } }", "error"), MN_ALWAYS);
	assert_int_equal(verdict("shared q; int f() { q = 1; } P0 { r0 = f(); }", "error"), MN_ALWAYS);
	assert_int_equal(verdict("int f(int a) { if (a) return 1; } P0 { r0 = f(0); }", "error"),
			 MN_ALWAYS);
	/* An error stops only the agent that hit it. */
	assert_int_equal(verdict("shared z, y; P0 { r0 = 1 / z; } P1 { y = 1; } exists (y == 1);",
				 "exists"),
			 MN_ALWAYS);
}

static void test_atomic_and_await(void **state)
{
	(void)state;
	const char *blocking = "mutex m; shared c;\n"
			       "P0 { lock(m); c = 1; unlock(m); }\n"
			       "P1 { atomic { lock(m); c = 2; unlock(m); } }\n";
	assert_int_equal(verdict(blocking, "error"), MN_SOMETIMES);
	const char *wait = "shared go, seen;\n"
			   "P0 { await (go == 1); seen = 1; }\n"
			   "P1 { go = 1; }\n"
			   "exists (seen == 1);\n";
	assert_int_equal(verdict(wait, "exists"), MN_ALWAYS);
	assert_int_equal(verdict(wait, "deadlock"), MN_NEVER);
	assert_int_equal(verdict("shared go; P0 { await (go); }", "deadlock"), MN_ALWAYS);
	const char *atom = "shared c;\n"
			   "P0 { atomic { int t = c; c = t + 1; } }\n"
			   "P1 { atomic { c = c + 1; } }\n"
			   "exists (c == 2);\n";
	assert_int_equal(verdict(atom, "exists"), MN_ALWAYS);
}

static void test_handles_and_arrays(void **state)
{
	(void)state;
	const char *s = "mutex m, n; shared a[3] = {4, -5, 6}, b = 9;\n"
			"void crit(handle h) { lock(h); b = b + 1; unlock(h); }\n"
			"P0 { handle h = m; if (h == m && h != n) crit(h); r0 = a[0] + a[1] + a[2]; }\n"
			"P1 { crit(m); }\n"
			"exists (b == 11 && P0:r0 == 5);\n";
	assert_int_equal(verdict(s, "exists"), MN_ALWAYS);
}

/* The toy profile (tests/lib/toy): publish() reads data, writes data, then sets flag. */
static const char toy_reader[] =
	"P1 { r0 = flag; r1 = data; }\n"
	"exists early (P1:r0 == 1 && P1:r1 == 0);\n";

static enum mn_verdict toy(const char *edits, const char *name)
{
	char buf[2048];
	snprintf(buf, sizeof(buf), "kernel toy\nshared data, flag;\n%s\nP0 { r0 = publish(5); }\n%s",
		 edits, toy_reader);
	return verdict(buf, name);
}

static void test_edit_baseline(void **state)
{
	(void)state;
	/* Message passing: the flag is set after the data, so the reader never sees it early. */
	assert_int_equal(toy("", "early"), MN_NEVER);
}

static void test_edit_move(void **state)
{
	(void)state;
	assert_int_equal(toy("move publish.set_flag after publish.read_old;", "early"),
			 MN_SOMETIMES);
}

static void test_edit_override(void **state)
{
	(void)state;
	assert_int_equal(toy("override publish.write_data = data = v + 100;\n"
			     "exists big (data == 105);",
			     "big"),
			 MN_ALWAYS);
	/* The label survives the override, so it can be edited again. */
	assert_int_equal(toy("override publish.write_data = data = 1;\n"
			     "delete publish.write_data;\nexists zero (data == 0);",
			     "zero"),
			 MN_ALWAYS);
}

static void test_edit_delete(void **state)
{
	(void)state;
	assert_int_equal(toy("delete publish.set_flag;\nexists noflag (flag == 0);", "noflag"),
			 MN_ALWAYS);
}

static void test_redefine_function(void **state)
{
	(void)state;
	assert_int_equal(toy("int publish(int v) { flag = 7; return 0; }\n"
			     "exists mine (flag == 7 && data == 0);",
			     "mine"),
			 MN_ALWAYS);
}

static void test_kernel_override(void **state)
{
	(void)state;
	struct mn_load_opts lo = { SRC_DIR "/tests/lib", "toy" };
	struct mn_diag d = { 0 };
	struct mn_prog *p = mn_prog_load_text("t.mnl", "shared data, flag; P0 { r0 = publish(3); }",
					      &lo, &d);
	assert_non_null(p);
	assert_string_equal(p->profile, "toy");
	mn_prog_free(p);
	lo.kernel_override = "nonesuch";
	p = mn_prog_load_text("t.mnl", "P0 { }", &lo, &d);
	assert_null(p);
	assert_non_null(strstr(d.msg, "unknown kernel profile"));
}

static void test_errors_run_nothing(void **state)
{
	(void)state;
	struct mn_diag d;
	assert_null(load_text("shared x;\nP0 { x = 1; }\nP1 { y = 2; }\n", &d));
	assert_int_equal(d.line, 3);
	assert_int_equal(d.col, 6);
	assert_string_equal(d.file, "test.mnl");
	assert_non_null(strstr(d.msg, "unknown variable 'y'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lexer_tokens),
		cmocka_unit_test(test_lexer_errors),
		cmocka_unit_test(test_malformed_corpus),
		cmocka_unit_test(test_functions_loops_recursion),
		cmocka_unit_test(test_short_circuit),
		cmocka_unit_test(test_runtime_errors),
		cmocka_unit_test(test_atomic_and_await),
		cmocka_unit_test(test_handles_and_arrays),
		cmocka_unit_test(test_edit_baseline),
		cmocka_unit_test(test_edit_move),
		cmocka_unit_test(test_edit_override),
		cmocka_unit_test(test_edit_delete),
		cmocka_unit_test(test_redefine_function),
		cmocka_unit_test(test_kernel_override),
		cmocka_unit_test(test_errors_run_nothing),
	};
	RUN_TESTS(tests);
}

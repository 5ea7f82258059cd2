/* fuzz/gen_dict.c - the fuzzers' dictionary, from the scenario language.
 *
 * Prints, in libFuzzer/AFL dictionary syntax, every section and key the
 * loader knows, each word of every choice, the unit suffixes and the
 * language's own tokens, so mutations speak the language.
 */
#include <stdio.h>
#include <string.h>

#include "../lang/keys.h"

static void token(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s < ' ')
			printf("\\x%02X", (unsigned char)*s);
		else
			putchar(*s);
	}
	puts("\"");
}

int main(void)
{
	static const char *const extra[] = {
	    "include ", " = ",	"\n",	"; ",	 "# ", "/dev/zero", "./",   "ns",
	    "us",	"ms",	"s",	"k",	 "m",  "g",	    "t",    "GHz",
	    "MB/s",	"GB/s", "true", "false", "0",  "1",	    "4096", "1e9",
	};
	char buf[256];

	for (int i = 0; i < nr_keys; i++) {
		const char *w = keys[i].choices;

		if (!i || strcmp(keys[i].section, keys[i - 1].section)) {
			snprintf(buf, sizeof(buf), "[%s]", keys[i].section);
			token(buf);
		}
		token(keys[i].name);
		snprintf(buf, sizeof(buf), "%s = ", keys[i].name);
		token(buf);
		for (; w && *w; w += strcspn(w, "|"), w += *w == '|') {
			snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(w, "|"), w);
			token(buf);
		}
	}
	token("[sweep]");
	token("vary = ");
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		token(extra[i]);
	return 0;
}

/*
 * ui-text.c: text as the terminal shows it. Strings are UTF-8 (or whatever
 * the locale says); each character takes wcwidth cells, a tab runs to the
 * next multiple of eight from the start of the string, another control
 * character shows as ^X and a byte that does not decode as ?. The log pane
 * wraps with ui_text_fit and the prompt places its cursor with
 * ui_text_width, so both agree with what ui_text_put draws.
 */
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "ui.h"

/* The most wide characters one glyph draws (a tab's spaces). */
#define UI_TEXT_GLYPH 8

/* One character as drawn: what to draw, its cells and its bytes. */
struct ui_text_glyph {
	wchar_t	wc[UI_TEXT_GLYPH];
	int	nwc;
	int	cells;
	size_t	bytes;
};

/* Decodes the character at s (n > 0 bytes left) found at column col. */
static void
ui_text_glyph(const char *s, size_t n, int col, struct ui_text_glyph *g)
{
	mbstate_t	 st;
	wchar_t		 wc;
	size_t		 len;
	int		 w;
	unsigned char	 c = (unsigned char)s[0];

	g->nwc = 1;
	g->bytes = 1;
	if (c == '\t') {
		g->cells = g->nwc = UI_TEXT_GLYPH - col % UI_TEXT_GLYPH;
		wmemset(g->wc, L' ', (size_t)g->nwc);
		return;
	}
	if (c < 0x20 || c == 0x7f) {
		g->wc[0] = L'^';
		g->wc[1] = (wchar_t)(c ^ 0x40);
		g->cells = g->nwc = 2;
		return;
	}
	memset(&st, 0, sizeof st);
	len = mbrtowc(&wc, s, n, &st);
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0 ||
	    (w = wcwidth(wc)) < 0) {
		g->wc[0] = L'?';
		g->cells = 1;
		return;
	}
	g->wc[0] = wc;
	g->cells = w;
	g->bytes = len;
}

/* Returns the cells that s (n bytes) takes. */
int
ui_text_width(const char *s, size_t n)
{
	struct ui_text_glyph	g;
	size_t			i;
	int			col = 0;

	for (i = 0; i < n; i += g.bytes) {
		ui_text_glyph(s + i, n - i, col, &g);
		col += g.cells;
	}
	return col;
}

/*
 * Returns how many bytes of s (n) fit in cols cells, at least one
 * character when cols > 0 so that wrapping always moves on.
 */
size_t
ui_text_fit(const char *s, size_t n, int cols)
{
	struct ui_text_glyph	g;
	size_t			i;
	int			col = 0;

	for (i = 0; i < n; i += g.bytes) {
		ui_text_glyph(s + i, n - i, col, &g);
		if (col + g.cells > cols && i > 0)
			break;
		col += g.cells;
	}
	return i;
}

/*
 * Draws s (n bytes) at the cursor of the standard screen in the current
 * style, leaving out its first *skip cells and drawing at most *room cells
 * (both counted down by what was left out and drawn), a wide character cut
 * by either edge as spaces.
 */
void
ui_text_put(const char *s, size_t n, int *skip, int *room)
{
	struct ui_text_glyph	g;
	size_t			i;
	int			col = 0, k;

	for (i = 0; i < n && *room > 0; i += g.bytes) {
		ui_text_glyph(s + i, n - i, col, &g);
		col += g.cells;
		if (*skip > 0 && *skip >= g.cells) {
			*skip -= g.cells;
			continue;
		}
		if (*skip > 0 || g.cells > *room) {
			k = g.cells - *skip;
			if (k > *room)
				k = *room;
			*skip = 0;
			*room -= k;
			while (k-- > 0)
				addch(' ');
			continue;
		}
		addnwstr(g.wc, g.nwc);
		*room -= g.cells;
	}
}

/* Draws the string s at (y, x) in at most room cells. */
void
ui_text_at(int y, int x, int room, const char *s)
{
	int	skip = 0;

	move(y, x);
	ui_text_put(s, strlen(s), &skip, &room);
}

# lua-help.awk: turns the mdoc source of snnwb-lua(7) into lua-help-text.c,
# the table that help() prints from (src/lua-help.c). Run by make:
#	awk -f src/lua-help.awk man/snnwb-lua.7 >lua-help-text.c
# Every .It Fn or .It Va item of a section's outer list is an entry: its
# name, its synopsis as Lua spells a call ("snn.seed([n])") and its
# description as plain text wrapped to 72 columns, nested lists indented.
# Items with no description of their own (.It Fn job:pause, .It Fn
# job:resume, .It Fn job:stop, then the text) share the one that follows.
# Only the mdoc that snnwb-lua(7) uses is understood; other macros are
# dropped and their arguments kept as words.

BEGIN {
	width = 72
	depth = 0
	lit = 0
	ngroup = 0
	body = ""
	para = ""
	paraind = ""
	section = ""
	print "/* lua-help-text.c: made by src/lua-help.awk from " \
	    "man/snnwb-lua.7; do not edit. */"
	print "#include \"lua-snn.h\""
	print ""
	print "const struct lsnn_help lsnn_help_entries[] = {"
}

# Returns s with the roff escapes snnwb-lua(7) uses replaced by text.
function unroff(s,	out, i, c, name) {
	out = ""
	while ((i = index(s, "\\")) > 0) {
		out = out substr(s, 1, i - 1)
		c = substr(s, i + 1, 1)
		s = substr(s, i + 2)
		if (c == "(") {
			name = substr(s, 1, 2)
			s = substr(s, 3)
			if (name == "em")
				out = out "--"
			else if (name == "mi")
				out = out "-"
			else if (name == "mu")
				out = out "x"
			else if (name == "+-")
				out = out "+-"
			else if (name == "*a")
				out = out "alpha"
			else
				out = out name
		} else if (c == "e")
			out = out "\\"
		else if (c != "&")
			out = out c
	}
	return out s
}

# Returns s as the body of a C string literal.
function cstring(s,	out, i, c) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\" || c == "\"")
			out = out "\\" c
		else if (c == "\n")
			out = out "\\n"
		else
			out = out c
	}
	return out
}

# Splits the macro line s into tok[1..n], keeping "quoted words" whole;
# returns n.
function tokenize(s, tok,	n, w) {
	n = 0
	while (s != "") {
		sub(/^[ \t]+/, "", s)
		if (s == "")
			break
		if (substr(s, 1, 1) == "\"") {
			s = substr(s, 2)
			w = index(s, "\"")
			if (w == 0)
				w = length(s) + 1
			tok[++n] = substr(s, 1, w - 1)
			s = substr(s, w + 1)
		} else {
			w = match(s, /[ \t]/)
			if (w == 0)
				w = length(s) + 1
			tok[++n] = substr(s, 1, w - 1)
			s = substr(s, w)
		}
	}
	return n
}

# Returns whether t is a macro that may be called within a line.
function callable(t) {
	return t ~ /^(Ar|Cm|Dv|Em|Er|Ev|Fa|Fl|Fn|Ic|Li|Nm|No|Ns|Pa|Pf)$/ ||
	    t ~ /^(Sx|Sy|Va|Xr|Ql|Qq|Dq|Sq|Pq|Op|Brq|Aq|Ta|Qo|Qc)$/
}

# Returns whether t is closing punctuation, written without a space.
function punct(t) {
	return t ~ /^[.,;:)\]}?!]+$/
}

# Returns tok[a..b] rendered as text.
function render(tok, a, b,	out, i, t, ns, j, k, args, lq, rq) {
	out = ""
	ns = 1
	for (i = a; i <= b; i++) {
		t = tok[i]
		if (t == "Ns") {
			ns = 1
			continue
		}
		if (t == "Ta") {
			out = out "  "
			ns = 1
			continue
		}
		if (t == "Qo" || t == "Qc") {
			out = out (ns || t == "Qc" ? "" : " ") "\""
			ns = t == "Qo"
			continue
		}
		if (t == "Fl") {
			t = "-"
			if (i < b && !callable(tok[i + 1]) && !punct(tok[i + 1]))
				t = "-" tok[++i]
		} else if (t == "Xr" && i + 2 <= b) {
			t = tok[i + 1] "(" tok[i + 2] ")"
			i += 2
		} else if (t == "Fn" && i < b) {
			t = tok[++i] "("
			for (k = 0; i < b && !callable(tok[i + 1]) &&
			    !punct(tok[i + 1]); k++)
				t = t (k > 0 ? ", " : "") tok[++i]
			t = t ")"
		} else if (t ~ /^(Ql|Qq|Dq|Sq|Pq|Op|Brq|Aq)$/) {
			lq = t == "Ql" || t == "Sq" ? "'" : \
			    t == "Qq" || t == "Dq" ? "\"" : t == "Pq" ? "(" : \
			    t == "Op" ? "[" : t == "Brq" ? "{" : "<"
			rq = lq == "(" ? ")" : lq == "[" ? "]" : \
			    lq == "{" ? "}" : lq == "<" ? ">" : lq
			for (j = b; j > i && punct(tok[j]); j--)
				;
			t = lq render(tok, i + 1, j) rq
			i = j
		} else if (t == "Pf" && i < b) {
			out = out (ns ? "" : " ") unroff(tok[++i])
			ns = 1
			continue
		} else if (callable(t))
			continue
		t = unroff(t)
		out = out (ns || punct(t) ? "" : " ") t
		ns = 0
	}
	return out
}

# Appends the paragraph, wrapped at its indentation, to the body.
function flush(	n, w, i, line) {
	if (para == "")
		return
	n = split(para, w, " ")
	line = ""
	for (i = 1; i <= n; i++) {
		if (w[i] == "")
			continue
		if (line != "" && length(line) + 1 + length(w[i]) > width) {
			body = body line "\n"
			line = ""
		}
		line = line == "" ? paraind w[i] : line " " w[i]
	}
	if (line != "")
		body = body line "\n"
	para = ""
}

# Adds text to the paragraph.
function words(text) {
	if (text != "")
		para = para == "" ? text : para " " text
}

# Starts a paragraph indented for the list depth, plus extra spaces.
function newpara(extra,	i) {
	flush()
	paraind = ""
	for (i = 2; i <= depth; i++)
		paraind = paraind "  "
	paraind = paraind extra
}

# Prints the entries of the items waiting for this body, and starts over.
function emit(	k, syn) {
	flush()
	sub(/\n+$/, "", body)
	syn = ""
	for (k = 1; k <= ngroup; k++)
		syn = syn (k > 1 ? "\n" : "") gsyn[k]
	for (k = 1; k <= ngroup; k++)
		printf "\t{ \"%s\", \"%s\", \"%s\",\n\t    \"%s\" },\n", \
		    cstring(section), cstring(gname[k]), cstring(syn), \
		    cstring(body)
	ngroup = 0
	body = ""
}

/^\.\\"/ {
	next
}

lit && /^\.Ed/ {
	lit = 0
	next
}

lit {
	body = body "    " unroff($0) "\n"
	next
}

/^\.S[hs] / {
	emit()
	depth = 0
	if ($1 == ".Sh") {
		section = substr($0, 5)
		sub(/^"/, "", section)
		sub(/"$/, "", section)
	}
	next
}

/^\.Bl/ {
	depth++
	if (depth > 1)
		newpara("")
	next
}

/^\.El/ {
	if (depth == 1)
		emit()
	if (depth > 0)
		depth--
	if (depth > 0)
		newpara(depth > 1 ? "    " : "")
	next
}

/^\.It/ {
	n = tokenize(substr($0, 4), tok)
	if (depth == 1) {
		flush()
		if (body != "")
			emit()
		if (tok[1] == "Fn" || tok[1] == "Va") {
			gname[++ngroup] = tok[2]
			gsyn[ngroup] = render(tok, 1, n)
		} else
			emit()
		paraind = ""
		next
	}
	newpara("")
	words(n > 0 ? render(tok, 1, n) : "-")
	if (n > 0)
		newpara("    ")
	next
}

/^\.Pp/ {
	flush()
	if (body != "")
		body = body "\n"
	next
}

/^\.Dl / {
	flush()
	n = tokenize(substr($0, 4), tok)
	body = body "    " render(tok, 1, n) "\n"
	next
}

/^\.Bd/ {
	flush()
	lit = $0 ~ /-literal/
	next
}

/^\.Ed/ {
	flush()
	next
}

/^\.(Dd|Dt|Os|Nm|Nd|Rs|Re|%[A-Z])/ {
	next
}

/^\./ {
	n = tokenize(substr($0, 2), tok)
	words(render(tok, 1, n))
	next
}

{
	words(unroff($0))
}

END {
	emit()
	print "\t{ NULL, NULL, NULL, NULL }"
	print "};"
}

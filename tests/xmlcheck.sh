#!/bin/sh
# xmlcheck.sh FILE...: exits 0 when every FILE is well-formed XML, 1 when
# one is not (the checker says why on standard error) and 77 when there is
# no checker: xmllint (Debian's libxml2-utils), else Python's minidom.
if command -v xmllint >/dev/null 2>&1; then
	exec xmllint --noout "$@"
fi
if command -v python3 >/dev/null 2>&1; then
	exec python3 -c 'import sys, xml.dom.minidom
for f in sys.argv[1:]:
    xml.dom.minidom.parse(f)' "$@"
fi
exit 77

package server

import (
	"strconv"
	"strings"
)

// htmlWriter builds the server's few HTML pages (the login theme, the debug page) in plain Go
// rather than html/template: text/template looks up methods by name at run time, which stops
// the linker from dropping any exported method of any type in the binary, and that made the
// binary a quarter larger and its resident memory 1.7 MB higher. Markup is written with raw;
// every value that comes from a scenario, a request or a token goes through text or url, which
// escape exactly as html/template does in those contexts.
type htmlWriter struct{ strings.Builder }

// raw writes trusted markup.
func (w *htmlWriter) raw(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
}

// text writes a value escaped for element content and quoted attribute values.
func (w *htmlWriter) text(s string) { htmlEscaper.WriteString(w, s) }

// wrap writes trusted open markup, a value escaped as text, and trusted close markup.
func (w *htmlWriter) wrap(open, value, close string) {
	w.WriteString(open)
	w.text(value)
	w.WriteString(close)
}

// with is wrap for a value that may be empty, writing nothing then ({{with}} in a template).
func (w *htmlWriter) with(value, open, close string) {
	if value != "" {
		w.wrap(open, value, close)
	}
}

// int writes a number.
func (w *htmlWriter) int(n int64) { w.WriteString(strconv.FormatInt(n, 10)) }

// url writes a value used as a URL in an href or action attribute.
func (w *htmlWriter) url(s string) { w.text(safeURL(s)) }

// urlPart writes a value placed inside a URL after its start (a fragment, a query value):
// everything but RFC 3986's unreserved characters is percent-encoded.
func (w *htmlWriter) urlPart(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlUnreserved(c) {
			w.WriteByte(c)
			continue
		}
		w.WriteByte('%')
		w.WriteByte(hexDigits[c>>4])
		w.WriteByte(hexDigits[c&15])
	}
}

// rawIf writes markup when cond holds; for the many "{{if .X}} markup{{end}}" of a page.
func (w *htmlWriter) rawIf(cond bool, s string) {
	if cond {
		w.WriteString(s)
	}
}

// htmlEscaper is html/template's escaping of text and quoted attributes: the five
// HTML-special characters, '+' (which UTF-7 sniffing browsers once read as an escape) and NUL.
var htmlEscaper = strings.NewReplacer(
	"\x00", "\uFFFD",
	`"`, "&#34;",
	"&", "&amp;",
	"'", "&#39;",
	"+", "&#43;",
	"<", "&lt;",
	">", "&gt;",
)

// safeURL is html/template's treatment of a URL attribute: a scheme other than http, https or
// mailto (javascript:, data:, ...) becomes "#ZgotmplZ", and bytes that may not appear in a URL
// are percent-encoded (valid escapes are kept). The scheme is compared in ASCII case only, so
// "httpſ:" (long s), which html/template lets through, is refused here too.
func safeURL(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 && !strings.Contains(s[:i], "/") {
		switch strings.ToLower(s[:i]) {
		case "http", "https", "mailto":
		default:
			return "#ZgotmplZ"
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlKeep(c) || c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// urlKeep reports whether a byte stays as it is in a URL attribute: RFC 3986's unreserved and
// reserved characters, except the quote and parentheses, as html/template does.
func urlKeep(c byte) bool {
	return urlUnreserved(c) || strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// urlUnreserved reports RFC 3986's unreserved characters.
func urlUnreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}

const hexDigits = "0123456789abcdef"

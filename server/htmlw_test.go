package server

import (
	"html/template"
	"strings"
	"testing"
)

// TestHTMLWriterEscapesLikeHTMLTemplate holds the pages' escaping to html/template's, which
// they used before: element text, a quoted attribute, a URL attribute and a URL fragment.
func TestHTMLWriterEscapesLikeHTMLTemplate(t *testing.T) {
	tpl := template.Must(template.New("").Parse(
		`<p title="{{.}}">{{.}}</p><a href="{{.}}">x</a><a href="#r-{{.}}">y</a>`))
	inputs := []string{
		"", "plain", `<script>alert('x')</script>`, `"quoted" & 'single' + plus`, "nul\x00byte", "é ü 日本",
		"http://h/p?a=1&b=<2>#f", "https://app/x?y=1&z='2'(3)", "/realms/x/login-actions?code=a b%20", "mailto:a@b",
		"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "/a:b", "a/b:c", "my realm/#?%", "50%", "%2", "%zz%41", "a%2Fb%",
	}
	for _, in := range inputs {
		var want strings.Builder
		if err := tpl.Execute(&want, in); err != nil {
			t.Fatal(err)
		}
		var w htmlWriter
		w.raw(`<p title="`)
		w.text(in)
		w.raw(`">`)
		w.text(in)
		w.raw(`</p><a href="`)
		w.url(in)
		w.raw(`">x</a><a href="#r-`)
		w.urlPart(in)
		w.raw(`">y</a>`)
		if got := w.String(); got != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", in, got, want.String())
		}
	}
}

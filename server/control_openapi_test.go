package server

import (
	"slices"
	"strings"
	"testing"
)

// TestControlOpenAPI checks that the document lists exactly the routes under /_kcmock and that
// its references resolve.
func TestControlOpenAPI(t *testing.T) {
	ts := newControlServer(t, Config{})
	r := ts.ctl(t, "GET", "/_kcmock/openapi.json", "")
	var doc map[string]any
	r.want(t, 200, &doc)
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	documented := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
			o := op.(map[string]any)
			if o["summary"] == nil || o["responses"] == nil {
				t.Errorf("%s %s lacks a summary or responses", method, path)
			}
		}
	}
	registered := map[string]bool{}
	for _, rt := range ts.echo.Routes() {
		if !strings.HasPrefix(rt.Path, controlPrefix) {
			continue
		}
		segs := strings.Split(rt.Path, "/")
		for i, s := range segs {
			if p, ok := strings.CutPrefix(s, ":"); ok {
				segs[i] = "{" + p + "}"
			}
		}
		registered[rt.Method+" "+strings.Join(segs, "/")] = true
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s is not in the OpenAPI document", k)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("the OpenAPI document lists %s, which is not a route", k)
		}
	}
	if len(registered) < 18 {
		t.Errorf("only %d control routes registered", len(registered))
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				var at any = doc
				for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := at.(map[string]any)
					at = m[seg]
				}
				if at == nil {
					t.Errorf("unresolved $ref %s", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	kinds := doc["components"].(map[string]any)["schemas"].(map[string]any)["BadTokenKind"].(map[string]any)["enum"].([]any)
	if len(kinds) != len(BadTokenKinds) {
		t.Errorf("BadTokenKind enum %v; want %v", kinds, BadTokenKinds)
	}
	for i, k := range BadTokenKinds {
		if i < len(kinds) && kinds[i] != k {
			t.Errorf("BadTokenKind enum %v; want %v", kinds, BadTokenKinds)
			break
		}
	}
	var endpoints []string
	for _, e := range doc["components"].(map[string]any)["schemas"].(map[string]any)["FaultRequest"].(map[string]any)["properties"].(map[string]any)["endpoint"].(map[string]any)["enum"].([]any) {
		endpoints = append(endpoints, e.(string))
	}
	if !slices.Equal(endpoints, faultEndpoints) {
		t.Errorf("FaultRequest endpoint enum %v; want %v", endpoints, faultEndpoints)
	}
}

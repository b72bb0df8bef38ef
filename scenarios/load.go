package scenarios

import (
	_ "embed"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// Source is one scenario document: its name (a file path, shown in errors), its TOML bytes,
// and the directory that relative key file paths are resolved against.
type Source struct {
	Name string
	Data []byte
	Dir  string

	preparsed string // Data already parsed (see preparsed.go); only for the embedded default
}

//go:embed default.toml
var defaultScenario []byte

// Default returns the embedded default scenario.
func Default() Source {
	return Source{Name: "default.toml", Data: defaultScenario, Dir: ".", preparsed: defaultPreparsed}
}

// LoadFiles reads scenario files and loads them together as one scenario.
func LoadFiles(opts Options, paths ...string) (*Scenario, error) {
	var srcs []Source
	var probs []Problem
	for _, p := range paths {
		b, err := opts.readFile(p)
		if err != nil {
			probs = append(probs, Problem{File: p, Msg: err.Error()})
			continue
		}
		srcs = append(srcs, Source{Name: p, Data: b, Dir: filepath.Dir(p)})
	}
	if len(probs) > 0 {
		return nil, &LoadError{Problems: probs}
	}
	return Load(opts, srcs...)
}

// Load parses, validates and resolves scenario sources into one Scenario. It reports every
// problem at once as a *LoadError, and returns no Scenario when there is any.
func Load(opts Options, srcs ...Source) (*Scenario, error) {
	if len(srcs) == 0 {
		return nil, errors.New("no scenario given")
	}
	var list []Problem
	docs := make([]*fileDoc, len(srcs))
	ps := make([]problems, len(srcs))
	syntax := false
	for i, src := range srcs {
		ps[i] = problems{file: src.Name, list: &list}
		docs[i] = parse(src, ps[i])
		syntax = syntax || docs[i] == nil
	}
	// A file that does not parse stops here; wrongly typed or unknown keys do not: the rest of
	// the scenario is still checked so that every problem is reported at once.
	if syntax {
		return nil, &LoadError{Problems: list}
	}
	now := opts.now()
	pinned := parsePinnedKeys(docs, now)
	servers := make([]*serverDoc, len(docs))
	for i, d := range docs {
		servers[i] = d.Server
	}
	sc := &Scenario{Server: resolveServer(servers, ps), byName: map[string]*Realm{}}
	var plans []*keyPlan
	for i, d := range docs {
		for j := range d.Realms {
			rd, path := &d.Realms[j], idx("realms", j)
			if rd.Realm == "" {
				ps[i].add(at(path, "realm"), "a realm needs a name")
				continue
			}
			if strings.ContainsAny(rd.Realm, "/?#%") {
				ps[i].add(at(path, "realm"), "realm name %q cannot be used in a URL path", rd.Realm)
				continue
			}
			if _, dup := sc.byName[rd.Realm]; dup {
				ps[i].add(at(path, "realm"), "duplicate realm %q", rd.Realm)
				continue
			}
			builtin, err := builtinRealm(rd.Realm, sc.Server)
			if err != nil {
				return nil, err
			}
			r := resolveRealm(rd, builtin, path, ps[i])
			r.StepUpAuthentication = sc.Server.Feature("step-up-authentication")
			plans = append(plans, planKeys(r, rd.Keys, path, srcs[i].Dir, &opts, now, pinned, ps[i]))
			sc.byName[r.Name] = r
			sc.Realms = append(sc.Realms, r)
		}
	}
	for _, r := range sc.Realms {
		for _, idp := range r.IdentityProviders {
			if idp.JWKSRealm != "" && sc.byName[idp.JWKSRealm] == nil {
				list = append(list, Problem{File: srcs[0].Name, Path: "identity provider " + idp.Alias + " of realm " + r.Name,
					Msg: "jwksUrl names realm " + idp.JWKSRealm + ", which the scenario does not define"})
			}
		}
	}
	if len(list) > 0 {
		return nil, &LoadError{Problems: list}
	}
	if len(sc.Realms) == 0 {
		return nil, &LoadError{Problems: []Problem{{File: srcs[0].Name, Msg: "no [[realms]] defined"}}}
	}
	if err := generate(plans, &opts); err != nil {
		return nil, err
	}
	return sc, nil
}

// parse decodes one source strictly: syntax errors with line and column, then every unknown
// key and wrongly typed value with its path, then the typed decode.
func parse(src Source, p problems) *fileDoc {
	var raw map[string]any
	if src.preparsed != "" {
		var err error
		if raw, err = decodePreparsed(src.preparsed, nil); err != nil {
			p.add("", "%v", err) // a kcmock bug, not the user's
			return nil
		}
	} else if _, err := toml.Decode(string(src.Data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			*p.list = append(*p.list, Problem{File: src.Name, Line: pe.Position.Line, Col: pe.Position.Col, Msg: pe.Message})
		} else {
			p.add("", "%v", err)
		}
		return nil
	}
	checkShape(raw, reflect.TypeOf(fileDoc{}), "", p)
	doc := &fileDoc{}
	if err := assign(raw, reflect.ValueOf(doc).Elem()); err != nil {
		p.add("", "%v", err)
		return nil
	}
	return doc
}

// builtinRealm returns the content Keycloak creates in a new realm of that name, adjusted to
// the server's version and features.
func builtinRealm(name string, srv Server) (*realmDoc, error) {
	doc, err := builtinDoc(name)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	if !srv.Version.AtLeast(26, 1) {
		drop["service_account"] = true // appeared in Keycloak 26.1
	}
	if !srv.Feature("organization") {
		drop["organization"] = true
	}
	if !srv.Feature("step-up-authentication") {
		drop["acr"] = true
	}
	if len(drop) > 0 {
		keep := doc.ClientScopes[:0]
		for _, s := range doc.ClientScopes {
			if !drop[s.Name] {
				keep = append(keep, s)
			}
		}
		doc.ClientScopes = keep
		doc.DefaultDefaultClientScopes = without(doc.DefaultDefaultClientScopes, drop)
		doc.DefaultOptionalClientScopes = without(doc.DefaultOptionalClientScopes, drop)
	}
	return doc, nil
}

func without(list []string, drop map[string]bool) []string {
	out := list[:0:0]
	for _, s := range list {
		if !drop[s] {
			out = append(out, s)
		}
	}
	return out
}

// builtinDoc is builtin.toml (pre-parsed) for a realm of that name, every part included.
func builtinDoc(name string) (*realmDoc, error) {
	raw, err := decodePreparsed(builtinPreparsed, strings.NewReplacer("{realm_lower}", lowerASCII(name), "{realm}", name))
	if err != nil {
		return nil, fmt.Errorf("built-in realm content: %w", err) // a kcmock bug, not the user's
	}
	doc := &realmDoc{}
	if err := assign(raw, reflect.ValueOf(doc).Elem()); err != nil {
		return nil, fmt.Errorf("built-in realm content: %w", err)
	}
	return doc, nil
}

package scenarios

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ConvertOptions control Convert.
type ConvertOptions struct {
	// Full keeps everything kcmock imported, built-in content, Keycloak's defaults and every id
	// included. Without it the scenario leaves out what kcmock creates anyway.
	Full bool
}

// Convert turns a Keycloak realm export into a TOML scenario that loads into the same realms.
// The export is loaded first exactly as --realm-import loads it, so problems come with JSON
// paths and the warnings are the same. Key material is kept; what kcmock creates in every
// realm is left out unless opts.Full.
func Convert(opts Options, src Source, copts ConvertOptions) ([]byte, []Warning, error) {
	imp, err := ImportRealmJSON(src.Name, src.Data)
	if err != nil {
		return nil, nil, err
	}
	server := convertServer(imp)
	serverSrc := Source{Name: src.Name, Data: encodeTOML(&fileDoc{Server: server}, nil)}
	sc, warnings, byFile, err := loadImports(opts, []Source{serverSrc}, []Source{src})
	if err != nil {
		return nil, warnings, err
	}
	doc := byFile[src.Name].fileDoc()
	doc.Server = server
	if !copts.Full {
		for i := range doc.Realms {
			base, err := newRealm(doc.Realms[i].Realm, sc.Server)
			if err != nil {
				return nil, warnings, err
			}
			minimize(&doc.Realms[i], sc.Realm(doc.Realms[i].Realm), base)
		}
	}
	out := encodeTOML(doc, convertComment(imp, src.Name, copts, warnings))
	// What is written must load into the same realms: check it, as the tests do in depth.
	if _, err := Load(opts, Source{Name: src.Name + " (converted)", Data: out, Dir: src.Dir}); err != nil {
		return nil, warnings, fmt.Errorf("kcmock bug: the converted scenario does not load: %w", err)
	}
	return out, warnings, nil
}

// convertServer carries over what the export says about its server: the version (kcmock
// emulates 26.x) and, when the realm has fine-grained admin permissions, the features they
// need.
func convertServer(imp *Import) *serverDoc {
	s := &serverDoc{}
	if v, err := ParseVersion(imp.KeycloakVersion()); err == nil && v.Major == 26 {
		s.Version = imp.KeycloakVersion()
	}
	for _, r := range imp.realms {
		if r.fgap {
			s.Features = []string{"token-exchange", "admin-fine-grained-authz:v1"}
			break
		}
	}
	if s.Version == "" && s.Features == nil {
		return nil
	}
	return s
}

func convertComment(imp *Import, name string, copts ConvertOptions, warnings []Warning) []string {
	from := filepath.Base(name)
	if v := imp.KeycloakVersion(); v != "" {
		from += " (Keycloak " + v + ")"
	}
	c := []string{"Converted by kcmock convert from " + from + "."}
	if !copts.Full {
		c = append(c, "Left out: what kcmock creates in every realm anyway (built-in clients, scopes and roles",
			"equal to Keycloak's, default settings, internal ids of roles, scopes, groups and mappers).")
	}
	if len(warnings) > 0 {
		c = append(c, "", fmt.Sprintf("%d warnings: what kcmock left out of the export or does differently.", len(warnings)))
		for _, w := range warnings {
			line := w.Msg
			if w.Path != "" {
				line = w.Path + ": " + line
			}
			c = append(c, "  "+strings.ReplaceAll(line, "\n", " "))
		}
	}
	return c
}

// newRealm resolves what a realm of that name holds when a scenario adds nothing (its keys
// are not generated: they play no part in comparisons).
func newRealm(name string, srv Server) (*Realm, error) {
	builtin, err := builtinRealm(name, srv)
	if err != nil {
		return nil, err
	}
	var list []Problem
	r := resolveRealm(&realmDoc{Realm: name}, builtin, "", problems{file: "built-in", list: &list})
	if len(list) > 0 {
		return nil, fmt.Errorf("built-in realm content: %w", &LoadError{Problems: list}) // a kcmock bug
	}
	return r, nil
}

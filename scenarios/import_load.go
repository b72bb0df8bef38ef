package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// LoadWithImports loads TOML scenarios and imported Keycloak realm exports (JSON) together as
// one scenario. An imported realm is turned into the scenario documents TOML decodes into and
// goes through the same resolution and validation; its problems are reported with JSON paths
// (clients[3].protocolMappers[0].config). The warnings list what kcmock left out of the
// exports or cannot do as Keycloak does; they never stop the load.
func LoadWithImports(opts Options, srcs []Source, imports []Source) (*Scenario, []Warning, error) {
	sc, warnings, _, err := loadImports(opts, srcs, imports)
	return sc, warnings, err
}

// loadImports is LoadWithImports that also returns the imports by file name.
func loadImports(opts Options, srcs []Source, imports []Source) (*Scenario, []Warning, map[string]*Import, error) {
	var probs []Problem
	var warnings []Warning
	all := append([]Source(nil), srcs...)
	byFile := map[string]*Import{}
	for _, src := range imports {
		imp, err := ImportRealmJSON(src.Name, src.Data)
		var le *LoadError
		if errors.As(err, &le) {
			probs = append(probs, le.Problems...)
			continue
		} else if err != nil {
			return nil, nil, nil, err
		}
		warnings = append(warnings, imp.Warnings...)
		byFile[src.Name] = imp
	}
	if len(probs) > 0 {
		return nil, warnings, nil, &LoadError{Problems: probs}
	}
	warnings = append(warnings, resolveJWKS(srcs, imports, byFile)...)
	for _, src := range imports {
		imp := byFile[src.Name]
		all = append(all, Source{Name: src.Name, Data: encodeTOML(imp.fileDoc(), nil), Dir: src.Dir})
	}
	sc, err := Load(opts, all...)
	var le *LoadError
	if errors.As(err, &le) {
		for i, p := range le.Problems {
			if imp := byFile[p.File]; imp != nil && p.Line == 0 {
				le.Problems[i].Path = imp.jsonPath(p.Path)
			}
		}
		return nil, warnings, nil, le
	}
	if err != nil {
		return nil, warnings, nil, err
	}
	for _, imp := range imports {
		for _, r := range byFile[imp.Name].realms {
			if r.fgap && !(sc.Server.Feature("admin-fine-grained-authz") && sc.Server.Feature("token-exchange")) {
				warnings = append(warnings, Warning{File: imp.Name, Path: r.prefix,
					Msg: "realm " + strconv.Quote(r.doc.Realm) + " has fine-grained admin permissions (v1), which act only with the features token-exchange and admin-fine-grained-authz:v1: enable them in a scenario's [server] table"})
			}
		}
	}
	return sc, warnings, byFile, nil
}

// ReadImports reads realm export files. A directory stands for every *.json file in it, in name
// order, as Keycloak's --import-realm reads data/import.
func ReadImports(opts Options, paths ...string) ([]Source, error) {
	var out []Source
	var probs []Problem
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			ents, err := os.ReadDir(p)
			if err != nil {
				probs = append(probs, Problem{File: p, Msg: err.Error()})
				continue
			}
			files = files[:0]
			for _, e := range ents {
				if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
			sort.Strings(files)
			if len(files) == 0 {
				probs = append(probs, Problem{File: p, Msg: "no *.json realm export in this directory"})
			}
		}
		for _, f := range files {
			b, err := opts.readFile(f)
			if err != nil {
				probs = append(probs, Problem{File: f, Msg: err.Error()})
				continue
			}
			out = append(out, Source{Name: f, Data: b, Dir: filepath.Dir(f)})
		}
	}
	if len(probs) > 0 {
		return nil, &LoadError{Problems: probs}
	}
	return out, nil
}

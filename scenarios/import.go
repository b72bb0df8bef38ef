package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Warning is something in an imported Keycloak realm export that kcmock does not emulate: it was
// left out, or kept with an effect that differs from Keycloak's. Warnings never stop a load.
type Warning struct {
	File string
	Path string // JSON path in the export, e.g. clients[3].protocolMappers[0].protocolMapper
	Msg  string
}

func (w Warning) String() string {
	if w.Path == "" {
		return w.File + ": " + w.Msg
	}
	return w.File + ": " + w.Path + ": " + w.Msg
}

// Import is a Keycloak realm export read into scenario documents, the types TOML scenarios
// decode into, so that imported realms go through the same resolution and validation.
type Import struct {
	File     string
	Warnings []Warning
	realms   []importedRealm
}

type importedRealm struct {
	doc     realmDoc
	prefix  string            // JSON path of the realm: "" for a single object, "[i]" in an array
	paths   map[string]string // TOML path under the realm → JSON path, where they differ
	version string            // keycloakVersion
	fgap    bool              // fine-grained admin permissions (v1) are set up
	jwks    []jwksRef         // identity providers whose jwksUrl names a realm
}

// Realms returns the names of the imported realms, in file order.
func (imp *Import) Realms() []string {
	out := make([]string, len(imp.realms))
	for i, r := range imp.realms {
		out[i] = r.doc.Realm
	}
	return out
}

// KeycloakVersion returns the keycloakVersion the export was written by, or "".
func (imp *Import) KeycloakVersion() string {
	for _, r := range imp.realms {
		if r.version != "" {
			return r.version
		}
	}
	return ""
}

// importer reads one export file, collecting problems (wrong JSON types: errors) and warnings.
type importer struct {
	file     string
	probs    []Problem
	warnings []Warning
}

func (im *importer) problem(path, format string, args ...any) {
	im.probs = append(im.probs, Problem{File: im.file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (im *importer) warn(path, format string, args ...any) {
	im.warnings = append(im.warnings, Warning{File: im.file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// ImportRealmJSON reads a Keycloak realm export: one realm object, as the admin console's
// partial export and `kc.sh export --realm` write it, or an array of realms, as in a full
// export file. Values of the wrong type are reported at once, with JSON paths, as a
// *LoadError; what kcmock does not emulate becomes a Warning and never an error.
func ImportRealmJSON(name string, data []byte) (*Import, error) {
	im := &importer{file: name}
	root, err := decodeJSON(data)
	if err != nil {
		return nil, &LoadError{Problems: []Problem{jsonSyntaxProblem(name, data, err)}}
	}
	imp := &Import{File: name}
	switch v := root.(type) {
	case map[string]any:
		imp.realms = append(imp.realms, im.realm(v, ""))
	case []any:
		if len(v) == 0 {
			im.problem("", "the file holds no realm")
		}
		for i, e := range v {
			if m, ok := e.(map[string]any); ok {
				imp.realms = append(imp.realms, im.realm(m, idx("", i)))
			} else {
				im.problem(idx("", i), "must be a realm object, got %s", jsonKind(e))
			}
		}
	default:
		im.problem("", "a realm export is a realm object or an array of realms, got %s", jsonKind(root))
	}
	if len(im.probs) > 0 {
		return nil, &LoadError{Problems: im.probs}
	}
	imp.Warnings = im.warnings
	return imp, nil
}

// jsonSyntaxProblem locates a JSON syntax error by line and column.
func jsonSyntaxProblem(name string, data []byte, err error) Problem {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return Problem{File: name, Msg: "not a JSON realm export: " + err.Error()}
	}
	// Offset counts the bytes read, the offending one included.
	before := string(data[:max(0, min(int(se.Offset)-1, len(data)))])
	line := strings.Count(before, "\n") + 1
	col := len(before) - strings.LastIndex(before, "\n")
	return Problem{File: name, Line: line, Col: col, Msg: se.Error()}
}

// fileDoc gives the imported realms as one scenario document.
func (imp *Import) fileDoc() *fileDoc {
	fd := &fileDoc{Realms: make([]realmDoc, len(imp.realms))}
	for i := range imp.realms {
		fd.Realms[i] = imp.realms[i].doc
	}
	return fd
}

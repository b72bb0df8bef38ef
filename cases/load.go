package cases

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
)

// Suite is one scenario file loaded with its cases, ready to run.
type Suite struct {
	File     string
	Scenario *scenarios.Scenario
	Cases    []Case
}

// LoadFile loads a scenario file as kcmock serves it (key files relative to it) together with
// its cases, whose realms it resolves. Every problem of the scenario and of the cases is
// reported at once, as a *scenarios.LoadError.
func LoadFile(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &scenarios.LoadError{Problems: []scenarios.Problem{{File: path, Msg: err.Error()}}}
	}
	return Load(scenarios.Source{Name: path, Data: data, Dir: filepath.Dir(path)})
}

// Load is LoadFile for a source already read.
func Load(src scenarios.Source) (*Suite, error) {
	cs, probs, syntax := parse(src.Name, src.Data)
	if syntax {
		return nil, &scenarios.LoadError{Problems: probs} // the scenario loader would say the same
	}
	sc, err := scenarios.Load(scenarios.Options{}, src)
	if err != nil {
		le, ok := err.(*scenarios.LoadError)
		if !ok {
			return nil, err
		}
		probs = merge(le.Problems, probs)
	} else {
		probs = append(probs, resolveRealms(src.Name, sc, cs)...)
	}
	if len(probs) > 0 {
		return nil, &scenarios.LoadError{Problems: probs}
	}
	return &Suite{File: src.Name, Scenario: sc, Cases: cs}, nil
}

// merge appends the case problems the scenario loader has not already reported (it checks
// that cases is an array of tables).
func merge(first, more []scenarios.Problem) []scenarios.Problem {
	seen := map[string]bool{}
	for _, p := range first {
		seen[p.String()] = true
	}
	for _, p := range more {
		if !seen[p.String()] {
			first = append(first, p)
		}
	}
	return first
}

// resolveRealms gives every case a realm (the scenario's only one when it names none) and
// checks that the realms named exist.
func resolveRealms(file string, sc *scenarios.Scenario, cs []Case) []scenarios.Problem {
	var probs []scenarios.Problem
	names := make([]string, len(sc.Realms))
	for i, r := range sc.Realms {
		names[i] = r.Name
	}
	bad := func(path, realm string) {
		probs = append(probs, scenarios.Problem{File: file, Path: path,
			Msg: "no realm " + quote(realm) + " in the scenario (realms: " + strings.Join(names, ", ") + ")"})
	}
	for i := range cs {
		c := &cs[i]
		switch {
		case c.Realm != "":
			if sc.Realm(c.Realm) == nil {
				bad(at(c.Path, "realm"), c.Realm)
			}
		case len(sc.Realms) == 1:
			c.Realm = sc.Realms[0].Name
		default:
			needed := false
			for _, st := range c.Steps {
				needed = needed || st.Realm == "" && st.Kind != ClockStep
			}
			if needed {
				probs = append(probs, scenarios.Problem{File: file, Path: at(c.Path, "realm"),
					Msg: "the scenario has several realms (" + strings.Join(names, ", ") + "): name the case's realm"})
			}
		}
		for _, st := range c.Steps {
			if st.Realm != "" && sc.Realm(st.Realm) == nil {
				bad(at(st.Path, "realm"), st.Realm)
			}
		}
	}
	return probs
}

func quote(s string) string { return `"` + s + `"` }

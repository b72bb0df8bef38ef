package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kcmock/kcmock/cases"
	"github.com/kcmock/kcmock/scenarios"
)

// check is `kcmock check FILE... [--json]`: each file is loaded as its own scenario and its
// [[cases]] run against a fresh in-process kcmock. Exit status 0 when every case passes, 1
// when any fails, 2 for a bad command line or a file that does not load (every problem of
// every file is printed, and nothing runs).
func check(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var files []string
	asJSON := false
	for _, a := range args {
		switch {
		case a == "--json" || a == "-json":
			asJSON = true
		case a == "-h" || a == "-help" || a == "--help":
			fmt.Fprintln(stdout, "usage: kcmock check FILE... [--json]")
			return 0
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(stderr, "kcmock check: unknown flag %s (usage: kcmock check FILE... [--json])\n", a)
			return 2
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "kcmock check: name at least one scenario file (usage: kcmock check FILE... [--json])")
		return 2
	}
	var suites []*cases.Suite
	var probs []scenarios.Problem
	for _, f := range files {
		s, err := cases.LoadFile(f)
		var le *scenarios.LoadError
		switch {
		case errors.As(err, &le):
			probs = append(probs, le.Problems...)
		case err != nil:
			probs = append(probs, scenarios.Problem{File: f, Msg: err.Error()})
		default:
			suites = append(suites, s)
		}
	}
	if len(probs) > 0 {
		fmt.Fprintln(stderr, &scenarios.LoadError{Problems: probs})
		return 2
	}
	reports := make([]cases.FileReport, len(suites))
	for i, s := range suites {
		reports[i] = cases.FileReport{File: s.File, Results: s.Run(ctx, cases.Options{})}
	}
	rep := cases.NewReport(reports...)
	if asJSON {
		if err := rep.WriteJSON(stdout); err != nil {
			fmt.Fprintln(stderr, "kcmock check:", err)
			return 2
		}
	} else {
		rep.WriteText(stdout)
	}
	if rep.Failed > 0 {
		return 1
	}
	return 0
}

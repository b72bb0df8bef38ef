package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kcmock/kcmock/scenarios"
)

// convert writes the TOML scenario equivalent to a Keycloak realm export:
//
//	kcmock convert FILE.json [-o OUT.toml] [--full]
//
// Warnings (what kcmock leaves out) go to standard error and into the scenario's header.
func convert(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kcmock convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the scenario to this file instead of standard output")
	full := fs.Bool("full", false, "keep built-in content, default settings and every id")
	// Flags may come before or after the file, as in the usage line.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "kcmock convert: name one realm export: kcmock convert FILE.json [-o OUT.toml] [--full]")
		return 2
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintln(stderr, "kcmock convert:", err)
		return 1
	}
	src := scenarios.Source{Name: files[0], Data: data, Dir: filepath.Dir(files[0])}
	text, warnings, err := scenarios.Convert(scenarios.Options{}, src, scenarios.ConvertOptions{Full: *full})
	printWarnings(stderr, warnings)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *out == "" {
		stdout.Write(text)
		return 0
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		fmt.Fprintln(stderr, "kcmock convert:", err)
		return 1
	}
	fmt.Fprintf(stderr, "kcmock convert: wrote %s\n", *out)
	return 0
}

// loadWithImports loads scenario files together with Keycloak realm exports (--realm-import:
// files, or directories whose *.json files are read), and reports on stderr what kcmock left
// out of the exports.
func loadWithImports(opts scenarios.Options, files, imports []string, stderr io.Writer) (*scenarios.Scenario, error) {
	read := os.ReadFile
	if opts.ReadFile != nil {
		read = opts.ReadFile
	}
	var srcs []scenarios.Source
	for _, f := range files {
		b, err := read(f)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, scenarios.Source{Name: f, Data: b, Dir: filepath.Dir(f)})
	}
	imps, err := scenarios.ReadImports(opts, imports...)
	if err != nil {
		return nil, err
	}
	sc, warnings, err := scenarios.LoadWithImports(opts, srcs, imps)
	printWarnings(stderr, warnings)
	return sc, err
}

func printWarnings(w io.Writer, warnings []scenarios.Warning) {
	for _, x := range warnings {
		fmt.Fprintf(w, "kcmock: warning: %s\n", x)
	}
}

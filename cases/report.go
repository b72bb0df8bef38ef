package cases

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// FileReport is the outcome of one scenario file's cases.
type FileReport struct {
	File    string   `json:"file"`
	Results []Result `json:"cases"`
}

// Report is the outcome of a `kcmock check` run.
type Report struct {
	Files  []FileReport `json:"files"`
	Passed int          `json:"passed"`
	Failed int          `json:"failed"`
}

// NewReport counts the results of the files.
func NewReport(files ...FileReport) *Report {
	r := &Report{Files: files}
	for _, f := range files {
		for _, res := range f.Results {
			if res.Passed {
				r.Passed++
			} else {
				r.Failed++
			}
		}
	}
	return r
}

// WriteText writes one line per case, PASS or FAIL and its name, each failure followed by
// what differed, and the summary line "N passed, N failed". With several files, a "# file"
// line heads each file's cases.
func (r *Report) WriteText(w io.Writer) {
	for _, f := range r.Files {
		if len(r.Files) > 1 {
			fmt.Fprintf(w, "# %s\n", f.File)
		}
		for _, res := range f.Results {
			res.WriteText(w)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed, r.Failed)
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes "PASS name", or "FAIL name" and the failing step with what differed:
//
//	FAIL the gateway exchanges alice's token
//	  step 2 "exchange" (token, cases[0].steps[1])
//	    status: want 200, got 403
//	    claims.access_token.azp: want "api-gateway", got absent
//	  answer: 403 Forbidden {"error":"access_denied","error_description":"…"}
//	  kcmock: Client is not within the token audience: …
func (res Result) WriteText(w io.Writer) {
	if res.Passed {
		fmt.Fprintf(w, "PASS %s\n", res.Name)
		return
	}
	fmt.Fprintf(w, "FAIL %s\n", res.Name)
	f := res.Failure
	if f == nil {
		return
	}
	if f.Step > 0 {
		where := []string{string(f.Request), f.Path}
		name := ""
		if f.StepName != "" {
			name = fmt.Sprintf(" %q", f.StepName)
		}
		fmt.Fprintf(w, "  step %d%s (%s)\n", f.Step, name, strings.Join(where, ", "))
	}
	for _, m := range f.Mismatches {
		fmt.Fprintf(w, "    %s\n", m)
	}
	if f.Answer != "" {
		fmt.Fprintf(w, "  answer: %s\n", f.Answer)
	}
	if f.Reason != "" {
		fmt.Fprintf(w, "  kcmock: %s\n", f.Reason)
	}
}

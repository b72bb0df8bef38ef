package scenarios

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a scenario: where (file, TOML path, and for syntax errors
// line and column) and what.
type Problem struct {
	File string
	Path string // e.g. realms[0].clients[2].secret; empty for file-level problems
	Line int    // 1-based; 0 when unknown
	Col  int
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
	}
	if p.Path != "" {
		b.WriteString(": ")
		b.WriteString(p.Path)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// LoadError reports every problem found while loading scenarios. A scenario with problems is
// never partly loaded.
type LoadError struct {
	Problems []Problem
}

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d problems:\n%s", len(lines), strings.Join(lines, "\n"))
}

// problems collects Problems for one file.
type problems struct {
	file string
	list *[]Problem
}

func (ps problems) add(path, format string, args ...any) {
	*ps.list = append(*ps.list, Problem{File: ps.file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// at joins a TOML path and a key, quoting keys that are not bare.
func at(path, key string) string {
	if !isBareKey(key) {
		key = fmt.Sprintf("%q", key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func idx(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func isBareKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

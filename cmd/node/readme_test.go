package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's "Commands and flags" lists every subcommand and every flag
// of a running node, so that a new flag cannot go unmentioned.
func TestReadmeListsEveryCommandAndFlag(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	text := string(b)
	start := strings.Index(text, "### Commands and flags")
	require.GreaterOrEqual(t, start, 0, "README has no 'Commands and flags' section")
	section := text[start:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	for _, cmd := range []string{"node run", "node demo", "node probe", "node trace render", "node version", "node help"} {
		assert.Contains(t, section, "`"+cmd, "README names %q", cmd)
	}
	newRunFlags(&runOptions{}, &strings.Builder{}).VisitAll(func(f *flag.Flag) {
		assert.Contains(t, section, "`--"+f.Name, "README lists --%s", f.Name)
	})
}

package mutate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `# a comment
id:     one
file:   a/b.go
rule:   x beats y
pkgs:   ./a ./c
run:    ^TestX$
from:   return x > y
to:     return x >= y

id: two
file: a/b.go
rule: the loop keeps its tabs
pkgs: ./a
run: TestY
from:
|	for {
|
|		break
|	}
to:
expect: survives
owner:  someone, with a test to write
`

func TestParseReadsEntriesAndBlocks(t *testing.T) {
	muts, err := Parse(strings.NewReader(sample))
	require.NoError(t, err)
	require.Len(t, muts, 2)
	assert.Equal(t, Mutation{ID: "one", File: "a/b.go", Rule: "x beats y", Pkgs: []string{"./a", "./c"}, Run: "^TestX$",
		From: "return x > y", To: "return x >= y", Line: 2}, muts[0])
	assert.Equal(t, "\tfor {\n\n\t\tbreak\n\t}", muts[1].From, "'|' lines are verbatim, blank ones included")
	assert.Equal(t, "", muts[1].To, "an empty to: block deletes the snippet")
	assert.Equal(t, ExpectSurvives, muts[1].Expect)
	assert.Equal(t, "someone, with a test to write", muts[1].Owner)
}

func TestParseRejectsBadEntries(t *testing.T) {
	entry := "id: x\nfile: f.go\nrule: r\npkgs: ./p\nrun: T\nfrom: a\nto: b\n"
	cases := map[string]string{
		"duplicate id":          entry + "\n" + entry,
		"bad id":                strings.Replace(entry, "id: x", "id: X Y", 1),
		"no run":                strings.Replace(entry, "run: T\n", "", 1),
		"no rule":               strings.Replace(entry, "rule: r\n", "", 1),
		"same from and to":      strings.Replace(entry, "to: b", "to: a", 1),
		"absolute package":      strings.Replace(entry, "./p", "github.com/p", 1),
		"bad pattern":           strings.Replace(entry, "run: T", "run: (", 1),
		"unknown key":           entry + "colour: red\n",
		"survivor without note": entry + "expect: survives\n",
		"bad expectation":       entry + "expect: maybe\n",
		"key before id":         "file: f.go\n" + entry,
		"stray block line":      "|\tx\n" + entry,
		"no colon":              entry + "just words\n",
	}
	for name, text := range cases {
		_, err := Parse(strings.NewReader(text))
		assert.ErrorIs(t, err, ErrCatalogue, name)
	}
}

func TestApplyNeedsExactlyOneOccurrence(t *testing.T) {
	m := Mutation{ID: "m", File: "f.go", From: "a > b", To: "a >= b"}
	got, err := m.Apply([]byte("if a > b {}"))
	require.NoError(t, err)
	assert.Equal(t, "if a >= b {}", string(got))
	_, err = m.Apply([]byte("if a < b {}"))
	assert.ErrorIs(t, err, ErrSnippetMissing)
	_, err = m.Apply([]byte("if a > b && a > b {}"))
	assert.ErrorIs(t, err, ErrSnippetAmbiguous)
}

func TestScratchMutatesOnlyTheCopyAndRestoresIt(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "p"), 0o755))
	orig := []byte("package p\n\nfunc F() bool { return 1 > 0 }\n")
	require.NoError(t, os.WriteFile(filepath.Join(root, "p", "f.go"), orig, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644))

	s, err := NewScratch(root, t.TempDir())
	require.NoError(t, err)
	m := Mutation{ID: "m", File: "p/f.go", From: "1 > 0", To: "1 < 0"}
	var during []byte
	require.NoError(t, s.With(m, func() error {
		during, err = os.ReadFile(filepath.Join(s.Dir, "p", "f.go"))
		return err
	}))
	assert.Contains(t, string(during), "return 1 < 0")
	after, err := os.ReadFile(filepath.Join(s.Dir, "p", "f.go"))
	require.NoError(t, err)
	assert.Equal(t, orig, after, "the copy is restored")
	src, err := os.ReadFile(filepath.Join(root, "p", "f.go"))
	require.NoError(t, err)
	assert.Equal(t, orig, src, "the working tree is never written")
	require.NoError(t, s.Close())
	assert.NoDirExists(t, s.Dir)
}

func TestSampleRotatesOverTheWholeCatalogue(t *testing.T) {
	var muts []Mutation
	for _, id := range strings.Fields("a b c d e f g h i j k") {
		muts = append(muts, Mutation{ID: id})
	}
	seen := map[string]int{}
	for seed := uint64(100); seed < 103; seed++ { // ceil(11/4) = 3 runs
		got := Sample(muts, 4, seed)
		require.Len(t, got, 4)
		for _, m := range got {
			seen[m.ID]++
		}
	}
	assert.Len(t, seen, len(muts), "three consecutive windows of 4 cover all 11")
	assert.Equal(t, Sample(muts, 4, 7), Sample(muts, 4, 7), "a seed always picks the same window")
	assert.Len(t, Sample(muts, 0, 1), len(muts))
}

func TestClassify(t *testing.T) {
	cases := []struct {
		out  string
		code int
		want Outcome
	}{
		{"ok  \tx\t0.1s\n", 0, Survived},
		{"--- FAIL: TestX (0.00s)\nFAIL\nFAIL\tx\t0.1s\n", 1, Killed},
		{"# x\n./f.go:3:9: undefined: y\nFAIL\tx [build failed]\n", 1, KilledByCompiler},
		{"panic: test timed out after 1m0s\nFAIL\tx\t60.0s\n", 1, KilledByTimeout},
		{"ok  \tx\t0.01s [no tests to run]\n", 0, Invalid},
		{"go: cannot find main module\n", 1, Invalid},
	}
	for _, tc := range cases {
		got, _ := classify(tc.out, tc.code)
		assert.Equal(t, tc.want, got, tc.out)
	}
}

// TestCatalogueApplies keeps mutations/catalogue.txt honest in every test
// run: each entry parses, its snippet occurs exactly once in its file, and
// its packages exist. A change that moves or rewrites mutated code fails
// here until the entry follows it.
func TestCatalogueApplies(t *testing.T) {
	root := filepath.Join("..", "..")
	muts, err := LoadFile(filepath.Join(root, "mutations", "catalogue.txt"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(muts), 30)
	require.NoError(t, Check(root, muts))
}

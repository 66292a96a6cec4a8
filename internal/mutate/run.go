package mutate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"
)

// Outcome is what happened to one mutation.
type Outcome int

const (
	// Killed: the tests failed. This is the goal.
	Killed Outcome = iota
	// KilledByTimeout: the tests hung until go test's -timeout (a hang is
	// caught, but slowly: prefer a test that fails fast).
	KilledByTimeout
	// KilledByCompiler: the mutated code does not build. It proves
	// nothing about the tests; prefer mutations that compile.
	KilledByCompiler
	// Survived: the tests passed with the bug in place.
	Survived
	// Invalid: the harness could not judge (the snippet is missing or
	// ambiguous, the -run pattern matched no test in a package, go
	// could not run).
	Invalid
)

// String is the kill table's spelling.
func (o Outcome) String() string {
	switch o {
	case Killed:
		return "killed"
	case KilledByTimeout:
		return "killed(timeout)"
	case KilledByCompiler:
		return "compile-error"
	case Survived:
		return "SURVIVED"
	}
	return "INVALID"
}

// Result is one mutation's outcome.
type Result struct {
	Mutation Mutation
	Outcome  Outcome
	Elapsed  time.Duration
	// Detail says why, for Invalid; Output is the tail of go test's
	// output.
	Detail string
	Output string
}

// Bad reports whether the result must fail the run: a survivor (marked
// or not), an invalid entry, or a marked survivor that is now killed
// (its mark is stale: remove it from the catalogue).
func (r Result) Bad() bool {
	switch r.Outcome {
	case Survived, Invalid:
		return true
	}
	return r.Mutation.Expect == ExpectSurvives
}

// Runner runs mutations in scratch copies of the module at Root.
type Runner struct {
	// Root is the module root (the directory holding go.mod).
	Root string
	// TmpDir holds the scratch copies ("" means os.TempDir).
	TmpDir string
	// Parallel is how many mutations run at once, each in its own
	// scratch copy (0 means 1).
	Parallel int
	// TestTimeout is go test's -timeout for one mutation; the harness
	// gives the whole go test (build included) twice that plus a minute.
	TestTimeout time.Duration
	// GoFlags are extra go test flags (for example "-race").
	GoFlags []string
	// NoTrimPath leaves -trimpath off. With it (the default) the build
	// cache does not depend on the scratch copy's random path, so runs
	// after the first reuse every compiled package; without it, the
	// dependencies that go vet or go build already compiled in this
	// cache are reused instead (cheaper in a fresh CI cache).
	NoTrimPath bool
	// Progress, if set, hears each result as it completes.
	Progress func(Result)
}

// ErrBaseline is returned when the selected tests fail without any
// mutation: every mutation would look killed, so nothing is run.
var ErrBaseline = errors.New("mutate: the tests fail on the unmutated code")

// Baseline runs, once per distinct package set, the union of the
// selected tests on the unmutated copy. It returns an error wrapping
// ErrBaseline if they fail, and one naming the package if a -run pattern
// matches nothing there.
func (r *Runner) Baseline(ctx context.Context, muts []Mutation) error {
	s, err := NewScratch(r.Root, r.TmpDir)
	if err != nil {
		return err
	}
	defer s.Close()
	type group struct {
		pkgs []string
		runs []string
	}
	groups := map[string]*group{}
	var keys []string
	for _, m := range muts {
		key := strings.Join(m.Pkgs, " ")
		g, ok := groups[key]
		if !ok {
			g = &group{pkgs: m.Pkgs}
			groups[key] = g
			keys = append(keys, key)
		}
		g.runs = append(g.runs, m.Run)
	}
	sort.Strings(keys)
	for _, key := range keys {
		g := groups[key]
		for _, run := range unionPatterns(g.runs) {
			out, code, err := r.goTest(ctx, s.Dir, g.pkgs, run)
			if err != nil {
				return err
			}
			if code != 0 {
				return fmt.Errorf("%w: go test %s -run '%s':\n%s", ErrBaseline, key, run, tail(out, 4000))
			}
		}
	}
	return nil
}

// unionPatterns joins -run patterns into as few as possible. A pattern
// with '/' selects subtests level by level and cannot be or-ed with
// another, so it runs on its own.
func unionPatterns(runs []string) []string {
	var plain, alone []string
	seen := map[string]bool{}
	for _, p := range runs {
		if seen[p] {
			continue
		}
		seen[p] = true
		if strings.Contains(p, "/") {
			alone = append(alone, p)
		} else {
			plain = append(plain, "(?:"+p+")")
		}
	}
	var out []string
	if len(plain) > 0 {
		out = append(out, strings.Join(plain, "|"))
	}
	return append(out, alone...)
}

// Run runs every mutation and returns the results in muts' order.
func (r *Runner) Run(ctx context.Context, muts []Mutation) ([]Result, error) {
	workers := max(r.Parallel, 1)
	workers = min(workers, max(len(muts), 1))
	scratches := make([]*Scratch, 0, workers)
	defer func() {
		for _, s := range scratches {
			_ = s.Close()
		}
	}()
	for range workers {
		s, err := NewScratch(r.Root, r.TmpDir)
		if err != nil {
			return nil, err
		}
		scratches = append(scratches, s)
	}
	results := make([]Result, len(muts))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, s := range scratches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res := r.one(ctx, s, muts[i])
				results[i] = res
				if r.Progress != nil {
					mu.Lock()
					r.Progress(res)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range muts {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results, ctx.Err()
}

// one applies m in s, runs its tests and classifies the outcome.
func (r *Runner) one(ctx context.Context, s *Scratch, m Mutation) Result {
	start := time.Now()
	res := Result{Mutation: m}
	err := s.With(m, func() error {
		out, code, err := r.goTest(ctx, s.Dir, m.Pkgs, m.Run)
		res.Output = tail(out, 6000)
		if err != nil {
			return err
		}
		res.Outcome, res.Detail = classify(out, code)
		return nil
	})
	if err != nil {
		res.Outcome, res.Detail = Invalid, err.Error()
	}
	res.Elapsed = time.Since(start)
	return res
}

// classify reads go test's output and exit code.
func classify(out string, code int) (Outcome, string) {
	switch {
	case strings.Contains(out, "[no tests to run]"):
		return Invalid, "the -run pattern matches no test in a package"
	case strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]"):
		return KilledByCompiler, "does not build"
	case code == 0:
		return Survived, "tests passed"
	case strings.Contains(out, "panic: test timed out after"):
		return KilledByTimeout, "tests hung until -timeout"
	case strings.Contains(out, "--- FAIL") || strings.Contains(out, "\nFAIL") || strings.HasPrefix(out, "FAIL"):
		return Killed, "tests failed"
	}
	return Invalid, fmt.Sprintf("go test exited %d without a test failure", code)
}

// goTest runs go test in dir and returns its combined output and exit
// code; err is set only when go could not be run or the harness's own
// deadline passed.
func (r *Runner) goTest(ctx context.Context, dir string, pkgs []string, run string) (string, int, error) {
	timeout := r.TestTimeout
	if timeout <= 0 {
		timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, 2*timeout+time.Minute)
	defer cancel()
	// -failfast: the first failing test is enough, and a killed mutation
	// then costs one failing test, not every Eventually that times out.
	args := []string{"test", "-count=1", "-failfast", "-timeout", timeout.String(), "-run", run}
	if !r.NoTrimPath {
		args = append(args, "-trimpath")
	}
	args = append(args, r.GoFlags...)
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	setProcessGroup(cmd)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.String(), -1, fmt.Errorf("mutate: go test %s did not finish within %v", strings.Join(pkgs, " "), 2*timeout+time.Minute)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0, nil
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode(), nil
	}
	return out.String(), -1, fmt.Errorf("mutate: running go test: %w", err)
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

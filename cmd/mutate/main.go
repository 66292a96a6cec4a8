// Command mutate runs zkfle's mutation catalogue (mutations/catalogue.txt):
// for each single-rule bug it applies the change to a scratch copy of the
// module, runs the tests the entry names, and prints the kill table. It
// never writes to the working tree it is run from.
//
//	go run ./cmd/mutate                     every entry
//	go run ./cmd/mutate fle-predicate-zxid  one entry (or several)
//	go run ./cmd/mutate -sample 4           today's rotating window of 4
//	go run ./cmd/mutate -check              the catalogue still applies
//	go run ./cmd/mutate -list               the entries
//
// Exit status: 0 when every mutation run was killed; 1 when one survived
// (marked or not), was invalid, or a survivor mark is stale (the entry is
// killed now: remove its expect: survives); 2 for a usage or catalogue
// error, or tests that fail without any mutation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/zkfle/zkfle/internal/mutate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		catalogue = fs.String("catalogue", "", "catalogue file (default: mutations/catalogue.txt in the module)")
		sample    = fs.Int("sample", 0, "run only a rotating window of this many entries (0: all)")
		seed      = fs.Uint64("seed", uint64(time.Now().UTC().Unix()/86400), "which window -sample runs (default: today's day number, so CI rotates daily)")
		skip      = fs.Bool("skip-survivors", false, "leave out entries marked expect: survives (CI)")
		parallel  = fs.Int("p", 1, "mutations run at once, each in its own scratch copy")
		timeout   = fs.Duration("timeout", 3*time.Minute, "go test -timeout for each mutation")
		goflags   = fs.String("goflags", "", "extra go test flags, space-separated (for example -race)")
		baseline  = fs.Bool("baseline", true, "first run the selected tests without mutation (they must pass)")
		check     = fs.Bool("check", false, "only check that every entry applies to the source, then exit")
		list      = fs.Bool("list", false, "list the entries, then exit")
		verbose   = fs.Bool("v", false, "print go test's output for survivors and invalid entries")
		tmp       = fs.String("tmpdir", "", "where the scratch copies go (default: $TMPDIR)")
		rootFlag  = fs.String("root", "", "the module to mutate (default: the one around the current directory); only read, never written")
		trimpath  = fs.Bool("trimpath", true, "build with -trimpath, so later runs reuse this run's builds; -trimpath=false reuses what go vet built (a fresh CI cache)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/mutate [flags] [id ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := *rootFlag, error(nil)
	if root == "" {
		root, err = moduleRoot()
	}
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	path := *catalogue
	if path == "" {
		path = filepath.Join(root, "mutations", "catalogue.txt")
	}
	all, err := mutate.LoadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	if err := mutate.Check(root, all); err != nil {
		fmt.Fprintf(stderr, "mutate: the catalogue does not apply to %s:\n%v\n", root, err)
		return 2
	}
	if *check {
		fmt.Fprintf(stdout, "%d entries, each applies exactly once\n", len(all))
		return 0
	}
	muts := all
	if fs.NArg() > 0 {
		if muts, err = mutate.ByID(all, fs.Args()); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	if *skip {
		muts = mutate.WithoutSurvivors(muts)
	}
	if *sample > 0 {
		muts = mutate.Sample(muts, *sample, *seed)
	}
	if *list {
		for _, m := range muts {
			mark := ""
			if m.Expect == mutate.ExpectSurvives {
				mark = "  [survives; owner: " + m.Owner + "]"
			}
			fmt.Fprintf(stdout, "%-40s %-32s %s%s\n", m.ID, m.File, m.Rule, mark)
		}
		return 0
	}
	if len(muts) == 0 {
		fmt.Fprintln(stderr, "mutate: nothing selected")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &mutate.Runner{
		Root:        root,
		TmpDir:      *tmp,
		Parallel:    *parallel,
		TestTimeout: *timeout,
		GoFlags:     strings.Fields(*goflags),
		NoTrimPath:  !*trimpath,
		Progress: func(res mutate.Result) {
			fmt.Fprintf(stderr, "mutate: %-40s %-18s %5.1fs\n", res.Mutation.ID, res.Outcome, res.Elapsed.Seconds())
		},
	}
	start := time.Now()
	if *baseline {
		fmt.Fprintf(stderr, "mutate: baseline: the selected tests of %d entries, unmutated\n", len(muts))
		if err := r.Baseline(ctx, muts); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	results, err := r.Run(ctx, muts)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	if err := mutate.WriteTable(stdout, results); err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	fmt.Fprintf(stdout, "wall time %.0fs (baseline included), parallelism %d\n", time.Since(start).Seconds(), max(*parallel, 1))
	bad := false
	for _, res := range results {
		if !res.Bad() {
			continue
		}
		bad = true
		if *verbose || res.Outcome == mutate.Invalid {
			fmt.Fprintf(stdout, "\n=== %s (%s): %s\n%s\n", res.Mutation.ID, res.Outcome, res.Detail, res.Output)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "mutate: interrupted")
		return 2
	}
	if bad {
		return 1
	}
	return 0
}

// moduleRoot is the directory of the go.mod that governs the current
// directory.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside a Go module: run it from the zkfle checkout")
	}
	return filepath.Dir(mod), nil
}

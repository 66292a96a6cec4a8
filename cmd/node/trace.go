package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/zkfle/zkfle/trace"
)

// traceUsage heads `node trace -h`.
const traceUsage = `Usage: node trace render [-o out.html] [-title T] trace-1.jsonl trace-2.jsonl ...

Renders the JSON-lines election traces of one or more nodes (written by
node run --trace FILE or node demo --trace DIR) as one self-contained HTML
page: a sequence diagram with one lifeline per server, every notification
as an arrow, timers, rounds, decisions and role changes as markers, and the
election's duration and per-node counts in the header. The traces merge on
wall-clock time, so record them on one machine or with clocks in sync.
Exit code 0 when the page was written, 1 when a trace could not be read or
the page not written, 2 for a bad command line.

Flags:
`

// runTrace is the trace subcommand; it returns the exit code.
func runTrace(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "render" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprint(stdout, traceUsage)
			return exitOK
		}
		fmt.Fprint(stderr, traceUsage)
		if len(args) > 0 {
			fmt.Fprintf(stderr, "node trace: unknown subcommand %q (want render)\n", args[0])
		}
		return exitUsage
	}
	fs := flag.NewFlagSet("node trace render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), traceUsage)
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "write the page to `FILE` (default: standard output)")
	title := fs.String("title", "", "the page's title (default: the trace files' names)")
	if code, ok := parseFlags(fs, args[1:], stdout, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "node trace render: give at least one trace file (see node trace -h)")
		return exitUsage
	}
	events, err := readTraces(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "node trace render:", err)
		return exitFailed
	}
	opts := trace.RenderOptions{Title: *title}
	if opts.Title == "" {
		opts.Title = "election trace: " + joinBase(fs.Args())
	}
	// Render into memory first, so a failure leaves no half-written page.
	var page bytes.Buffer
	if err := trace.Render(&page, events, opts); err != nil {
		fmt.Fprintln(stderr, "node trace render:", err)
		return exitFailed
	}
	if *out == "" {
		_, err = stdout.Write(page.Bytes())
	} else {
		err = os.WriteFile(*out, page.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, "node trace render:", err)
		return exitFailed
	}
	return exitOK
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// readTraces reads and checks every file; errors name the file (and,
// from trace.ReadChecked, the line).
func readTraces(paths []string) ([]trace.Event, error) {
	var all []trace.Event
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		events, err := trace.ReadChecked(f)
		_ = f.Close() // read-only: nothing to lose
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, events...)
	}
	return all, nil
}

func joinBase(paths []string) string {
	s := ""
	for i, p := range paths {
		if i > 0 {
			s += ", "
		}
		s += filepath.Base(p)
	}
	return s
}

// traceFile is a trace being recorded to a file: nil when not tracing,
// and then every method does nothing.
type traceFile struct {
	f *os.File
	w *trace.Writer
}

// openTrace creates path for a node's trace, or returns nil for "".
func openTrace(path string) (*traceFile, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--trace: %w", err)
	}
	return &traceFile{f: f, w: trace.NewWriter(f)}, nil
}

// writer is the Writer for actors.Config.Trace (nil when not tracing,
// which records nothing).
func (t *traceFile) writer() *trace.Writer {
	if t == nil {
		return nil
	}
	return t.w
}

// close flushes and closes the file; call it after the node stopped. A
// failure is logged: the node's own outcome stands.
func (t *traceFile) close(log *slog.Logger) {
	if t == nil {
		return
	}
	err := errors.Join(t.w.Flush(), t.f.Close())
	if err != nil {
		log.Error("trace not written", "file", t.f.Name(), "reason", err.Error())
	}
}

// openTrace opens DIR/trace-<sid>.jsonl for one demo node (nil Writer
// without a directory) and keeps it for stop to close.
func (d *demo) openTrace(dir string, sid int64) (*trace.Writer, error) {
	if dir == "" {
		return nil, nil
	}
	tf, err := openTrace(filepath.Join(dir, "trace-"+strconv.FormatInt(sid, 10)+".jsonl"))
	if err != nil {
		return nil, err
	}
	d.traces = append(d.traces, tf)
	return tf.writer(), nil
}

package main

import (
	"fmt"
	"io"
	"math"
)

// tlsCost is what TLS costs one system on one figure, from the medians of
// its plaintext and TLS columns measured in the same invocation.
type tlsCost struct {
	N       int         `json:"n"`
	Failure failureKind `json:"failure,omitempty"` // failover mode only
	System  string      `json:"system"`
	Figure  string      `json:"figure"` // the key of the figure, as in summary
	Unit    string      `json:"unit"`
	Plain   float64     `json:"plain_median"`
	TLS     float64     `json:"tls_median"`
	Diff    float64     `json:"diff"`  // TLS - plain, in Unit
	Ratio   float64     `json:"ratio"` // TLS / plain; 0 when plain is 0
}

// newTLSCost compares the two medians; false when either column has no
// successful sample, so that a failed column never reads as free TLS.
func newTLSCost(plain, withTLS summary) (tlsCost, bool) {
	if plain.Count == 0 || withTLS.Count == 0 {
		return tlsCost{}, false
	}
	c := tlsCost{Plain: plain.Median, TLS: withTLS.Median, Diff: withTLS.Median - plain.Median}
	if plain.Median != 0 {
		c.Ratio = withTLS.Median / plain.Median
	}
	return c, true
}

// format prints "+25 ms (x1.06)": the difference of the medians with its
// sign, and their ratio.
func (c tlsCost) format() string {
	sign := "+"
	if c.Diff < 0 {
		sign = "-"
	}
	out := sign + num(math.Abs(c.Diff)) + " " + c.Unit
	if c.Ratio != 0 {
		out += fmt.Sprintf(" (x%.2f)", c.Ratio)
	}
	return out
}

// columnPair is one system's plaintext and TLS columns among the
// variants, by index.
type columnPair struct {
	system       string
	title        string
	plain, withT int
}

// tlsPairs finds, among the variants (in order), each system that has
// both a plaintext and a TLS column.
func tlsPairs(variants []system) []columnPair {
	var out []columnPair
	for i, p := range variants {
		if p.transport.isTLS() {
			continue
		}
		for j, t := range variants {
			if t.name == p.name && t.transport.isTLS() {
				out = append(out, columnPair{system: p.name, title: p.baseTitle(), plain: i, withT: j})
			}
		}
	}
	return out
}

// costRow is one row of a cost block: a label and a cost per pair (nil
// where one column has no sample).
type costRow struct {
	label string
	costs []*tlsCost
}

// writeCostBlock prints, after a block of measured rows, what TLS cost
// each system on each of them; nothing when no system has both columns.
func writeCostBlock(w io.Writer, headline string, pairs []columnPair, rows []costRow) {
	if len(pairs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s: cost of TLS, median TLS - median plain (TLS / plain)", headline)
	for _, p := range pairs {
		fmt.Fprintf(w, "\t%s", p.title)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprint(w, r.label)
		for _, c := range r.costs {
			if c == nil {
				fmt.Fprint(w, "\tn/a")
				continue
			}
			fmt.Fprintf(w, "\t%s", c.format())
		}
		fmt.Fprintln(w)
	}
}

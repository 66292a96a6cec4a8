package main

import (
	"fmt"
	"sort"
)

// summary is min / median / max of a sample, as the README baseline gives
// its figures.
type summary struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
	Count  int     `json:"n"`
}

// summarize returns the min, median (mean of the middle two for an even
// count) and max of vs; the zero summary for no values.
func summarize(vs []float64) summary {
	if len(vs) == 0 {
		return summary{}
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	mid := len(s) / 2
	med := s[mid]
	if len(s)%2 == 0 {
		med = (s[mid-1] + s[mid]) / 2
	}
	return summary{Min: s[0], Median: med, Max: s[len(s)-1], Count: len(s)}
}

// format prints "min / median / max unit", with one decimal below 10 so
// that millisecond figures of a Go process keep their resolution.
func (s summary) format(unit string) string {
	if s.Count == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%s / %s / %s %s", num(s.Min), num(s.Median), num(s.Max), unit)
}

func num(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSummarizeOddAndEvenCounts(t *testing.T) {
	assert.Equal(t, summary{Min: 1, Median: 3, Max: 9, Count: 3}, summarize([]float64{9, 1, 3}))
	assert.Equal(t, summary{Min: 1, Median: 2.5, Max: 4, Count: 4}, summarize([]float64{4, 1, 3, 2}))
	assert.Equal(t, summary{}, summarize(nil))
}

func TestSummarizeLeavesInputOrder(t *testing.T) {
	in := []float64{3, 1, 2}
	summarize(in)
	assert.Equal(t, []float64{3, 1, 2}, in)
}

func TestSummaryFormat(t *testing.T) {
	assert.Equal(t, "1.5 / 9.9 / 1459 ms", summary{Min: 1.54, Median: 9.94, Max: 1459.4, Count: 3}.format("ms"))
	assert.Equal(t, "n/a", summary{}.format("ms"))
}

package fourletter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestJavaDoubleMatchesDoubleToString(t *testing.T) {
	tests := map[float64]string{
		0:            "0.0",
		353:          "353.0",
		0.375:        "0.375",
		0.2:          "0.2",
		1334.5:       "1334.5",
		0.001:        "0.001",
		0.0005:       "5.0E-4",
		1e7:          "1.0E7",
		12345678.9:   "1.23456789E7",
		-2.5:         "-2.5",
		9999999.9999: "9999999.9999",
	}
	for f, want := range tests {
		assert.Equal(t, want, javaDouble(f), "%v", f)
	}
}

func TestAverageRoundsHalfUpToFourDecimalsOfTheExactDouble(t *testing.T) {
	tests := []struct {
		sum, count int64
		want       float64
	}{
		{0, 0, 0},
		{5, 0, 0},
		{3, 8, 0.375},
		{1, 5, 0.2},
		{2, 3, 0.6667},
		{1, 3, 0.3333},
		{806, 1, 806},
		// 1/20000 is a hair above 0.00005 as a double: up to 0.0001.
		{1, 20000, 0.0001},
		// 3/20000 is a hair below 0.00015 as a double: down to 0.0001,
		// where rounding the decimal text would give 0.0002.
		{3, 20000, 0.0001},
		{-3, 8, -0.375},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, average(tt.sum, tt.count), "%d/%d", tt.sum, tt.count)
	}
}

func TestJavaSocketAddress(t *testing.T) {
	tests := map[string]string{
		"127.0.0.1:41476":      "/127.0.0.1:41476",
		"[::1]:2181":           "/[0:0:0:0:0:0:0:1]:2181",
		"[::ffff:10.0.0.1]:9":  "/10.0.0.1:9",
		"[fe80::1%eth0]:7":     "/[fe80:0:0:0:0:0:0:1%eth0]:7",
		"[2001:db8::abcd]:443": "/[2001:db8:0:0:0:0:0:abcd]:443",
		"not an address":       "not an address",
	}
	for in, want := range tests {
		assert.Equal(t, want, javaSocketAddress(in), in)
	}
}

func TestJavaDate(t *testing.T) {
	at := time.Date(2026, 1, 5, 7, 8, 9, 0, time.UTC)
	assert.Equal(t, "Mon Jan 05 07:08:09 UTC 2026", javaDate(at))
	cet := time.FixedZone("CET", 3600)
	assert.Equal(t, "Mon Jan 05 08:08:09 CET 2026", javaDate(at.In(cet)))
}

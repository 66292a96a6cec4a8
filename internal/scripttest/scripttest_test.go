package scripttest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScriptSyntax runs testdata/syntax: each command prints what the
// helpers read from its arguments.
func TestScriptSyntax(t *testing.T) {
	datadriven.RunTest(t, "testdata/syntax", func(t *testing.T, td *datadriven.TestData) string {
		switch td.Cmd {
		case "sids":
			var got []int64
			err := EachSid(t, td, func(sid int64) error {
				if sid == 9 {
					return errors.New("no server 9")
				}
				got = append(got, sid)
				return nil
			})
			return Result(formatSids(got), err)
		case "sides":
			var b []byte
			for _, side := range Sides(t, td) {
				b = append(b, formatSids(side)...)
			}
			return string(b)
		case "duration":
			return Duration(t, td, "for", 30*time.Second).String() + "\n"
		default:
			td.Fatalf(t, "unknown command %q", td.Cmd)
			return ""
		}
	})
}

func formatSids(ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprint(ids) + "\n"
}

func TestResult(t *testing.T) {
	assert.Equal(t, "ok\n", Result("", nil))
	assert.Equal(t, "n1 decided\n", Result("n1 decided\n", nil))
	assert.Equal(t, "error: boom\n", Result("n1 decided\n", errors.New("boom")))
}

func TestSid(t *testing.T) {
	require.Equal(t, int64(12), Sid(t, "12"))
}

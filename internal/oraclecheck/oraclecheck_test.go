package oraclecheck

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The fixture's judge uses the data type of record.go (and its fields), a
// function and a method of sim.go, and a local named like sim.go's
// top-level N (which must not count).
func TestReadReportsWhatTheJudgeReaches(t *testing.T) {
	rep, err := Read("testdata/pkg", "judge.go")
	require.NoError(t, err)
	require.Equal(t, []string{"strings"}, rep.Imports)
	require.Equal(t, map[string]string{
		"Record":      "record.go",
		"field Name":  "record.go",
		"field N":     "record.go",
		"simHelper":   "sim.go",
		"Record.Step": "sim.go",
	}, rep.Foreign)
}

func TestReadRefusesAMissingJudgeFile(t *testing.T) {
	_, err := Read("testdata/pkg", "judge.go", "gone.go")
	require.ErrorContains(t, err, "gone.go")
}

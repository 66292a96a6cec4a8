package mutate

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteTable prints the kill table: one row per result (id, file,
// outcome, seconds, rule), then the totals. A marked survivor's row
// says who must kill it; a marked survivor that was killed says its mark
// is stale.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFILE\tRESULT\tSECS\tRULE")
	var total time.Duration
	counts := map[Outcome]int{}
	stale := 0
	for _, r := range results {
		total += r.Elapsed
		counts[r.Outcome]++
		outcome := r.Outcome.String()
		rule := r.Mutation.Rule
		if r.Mutation.Expect == ExpectSurvives {
			if r.Outcome == Survived {
				outcome = "survived(expected)"
			} else if r.Outcome != Invalid {
				outcome += "(mark stale)"
				stale++
			}
			rule += " [owner: " + r.Mutation.Owner + "]"
		}
		if r.Outcome == Invalid {
			rule += " [" + r.Detail + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\n", r.Mutation.ID, r.Mutation.File, outcome, r.Elapsed.Seconds(), rule)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	killed := counts[Killed] + counts[KilledByTimeout]
	_, err := fmt.Fprintf(w, "\n%d mutations: %d killed by tests (%d by timeout), %d killed by the compiler, %d survived, %d invalid; %d stale survivor marks; %.0fs of test time\n",
		len(results), killed, counts[KilledByTimeout], counts[KilledByCompiler], counts[Survived], counts[Invalid], stale, total.Seconds())
	return err
}

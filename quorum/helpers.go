package quorum

// IsVoterInAny reports whether id is a voting member of at least one of
// the verifiers, skipping nil ones. It is FastLeaderElection's validVoter
// over the current and the next (last-seen) configuration: a
// notification from a sid that votes in neither gets an immediate reply
// instead of being counted.
func IsVoterInAny(id int64, vs ...Verifier) bool {
	for _, v := range vs {
		if v != nil && v.IsVoter(id) {
			return true
		}
	}
	return false
}

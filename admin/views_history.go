package admin

import "github.com/zkfle/zkfle/history"

// Restarts answers restarts: actor failures and restarts per kind, and
// the most recent events.
type Restarts struct {
	Envelope
	// Failures counts panics caught by a supervisor, by actor kind.
	Failures map[string]uint64 `json:"failures"`
	// Restarts counts restarts after a failure, by actor kind.
	Restarts map[string]uint64 `json:"restarts"`
	// Recent are the last supervision events, oldest first.
	Recent []history.Supervision `json:"recent"`
}

// Elections answers elections: the last elections this node took part in.
type Elections struct {
	Envelope
	// Current is the election in progress, or null.
	Current *history.Election `json:"current"`
	// Finished are the last finished elections, oldest first.
	Finished []history.Election `json:"finished"`
	// Total counts every finished election since the node started.
	Total uint64 `json:"total"`
}

// CommandInfo describes one command in the /commands listing.
type CommandInfo struct {
	// Name is the primary name; URL is where to GET it.
	Name string `json:"name"`
	URL  string `json:"url"`
	// Aliases also reach it.
	Aliases []string `json:"aliases"`
	// Description says what it answers.
	Description string `json:"description"`
}

// Listing answers GET /commands.
type Listing struct {
	Envelope
	// Commands are every command, by name.
	Commands []CommandInfo `json:"commands"`
}

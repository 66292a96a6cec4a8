// Package admin is zkfle's HTTP admin endpoint, after ZooKeeper's
// AdminServer: GET /commands/<name> answers a JSON object that always
// carries "command" (the command's primary name) and "error" (null, or
// why the command could not answer), plus the command's own fields.
// ZooKeeper's command names and aliases are used where ZooKeeper has the
// command (ruok, stat, leader, voting_view, connections); zkfle adds
// votes, restarts and elections. GET /commands lists them all.
//
// Unlike ZooKeeper 3.8, which answers 200 with an "Unknown command"
// error, an unknown command or path answers 404 (still with a JSON body),
// and a node that cannot be queried (stopping) answers 503.
//
// The endpoint is opt-in (cmd/node starts it only when zoo.cfg sets
// admin.enableServer=true) and read-only. docs/OBSERVABILITY.md documents
// every command's fields.
package admin

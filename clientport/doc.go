// Package clientport serves ZooKeeper's four-letter words (srvr, stat,
// mntr, conf, ruok, ...) on a node's client port, as ZooKeeper 3.8's NIO
// connection factory does: read four bytes, write the answer, close.
// Anything else ZooKeeper does on that port (sessions) zkfle does not: a
// connection whose first four bytes are not a known word is closed, as
// ZooKeeper closes one whose request length is absurd.
//
// It is a client of the node's public API, as the admin and metrics
// endpoints are: it reads the published state, follows the state changes
// (to time elections), and asks the connection status for mntr's learner
// counts. The answers themselves are rendered by package fourletter.
//
// cmd/node binds the port (Listen) before it starts the node, so that a
// taken port fails the start (exit 1), and serves it (Serve) once the node
// runs. A server whose accept loop dies later reports it on Done/Err, and
// cmd/node fails the node: ZooKeeper does not run without its client port,
// and binding it again could bind a port another process took meanwhile.
package clientport

package nodesim

import (
	"sort"

	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/zab"
)

// Connection numbers come from one counter, so election and quorum
// connections never share a number.

func zabID(id cnx.Conn) zab.ConnID { return zab.ConnID(id) }

// sortedConns lists every open connection number in order (map order must
// never reach the seeded random stream).
func sortedConns(w *World) []cnx.Conn {
	var ids []cnx.Conn
	for id := range w.econns {
		ids = append(ids, id)
	}
	for id := range w.zconns {
		ids = append(ids, cnx.Conn(id))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

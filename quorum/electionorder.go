package quorum

// ElectionAddrOrder returns the indexes of s.Addrs in the order ZooKeeper
// 3.8 iterates the server's election addresses. QuorumServer keeps them in
// a MultipleAddresses, a set backed by a ConcurrentHashMap keyed by
// InetSocketAddress and filled in line order, so the order is that
// table's (the one toString() starts from before it sorts by host, see
// javaAddressList). The version-2 connection header lists the addresses
// in this order, and MultipleAddresses.getOne, the address a version-1
// header sends, is its first. Names are hashed as Java hashes an
// unresolved address (see member.javaString). A server whose addresses do
// not parse, or repeat, keeps its line order: a verifier refuses both.
func ElectionAddrOrder(s Server) []int {
	line := make([]int, len(s.Addrs))
	for i := range line {
		line[i] = i
	}
	if len(s.Addrs) < 2 {
		return line
	}
	hashes := make([]uint32, len(s.Addrs))
	seen := make(map[endpointKey]bool, len(s.Addrs))
	for i, a := range s.Addrs {
		h, err := parseHost(a.Host)
		if err != nil {
			return line
		}
		e := endpoint{h, a.ElectionPort}
		if seen[e.key()] {
			return line
		}
		seen[e.key()] = true
		hashes[i] = javaSpread(e.javaHash())
	}
	return concurrentHashMapOrder(hashes)
}

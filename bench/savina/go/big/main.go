// Savina (e) big, Go: A goroutines, a channel each, each send P pings one
// at a time to random peers; a peer answers a ping with a pong echoing its
// token; the next ping goes out when the pong is back. When a goroutine has
// its P pongs it reports to a sink.
//
//	big [pings] [actors]
package main

import "savina/common"

type msg struct {
	pong  bool
	token int64
	from  int32
}

type report struct{ pongs, bad int64 }

func main() {
	pings := common.Arg(1, 1000)
	actors := common.Arg(2, 1000)
	if actors < 2 {
		common.Fail("big", "needs at least 2 actors")
	}
	// Each worker has at most one ping of every peer and its own pong in
	// its channel at once: a buffer of A + 1 never blocks a sender (an
	// actor's mailbox is unbounded; a smaller one could deadlock a cycle).
	peers := make([]chan msg, actors)
	for i := range peers {
		peers[i] = make(chan msg, actors+1)
	}
	sink := make(chan report, actors)
	received := make([]int64, actors)
	t0 := common.Now()
	for i := int64(0); i < actors; i++ {
		go func(index int32, in chan msg) {
			rng := uint64(0x9e3779b97f4a7c15) * uint64(index+1)
			left, expected, pongs, bad := pings, int64(0), int64(0), int64(0)
			sendNext := func() {
				rng ^= rng << 13
				rng ^= rng >> 7
				rng ^= rng << 17
				peer := int32(rng % uint64(actors-1))
				if peer >= index {
					peer++ // never itself
				}
				left--
				expected = int64(index)<<32 | left
				peers[peer] <- msg{false, expected, index}
			}
			sendNext()
			for m := range in {
				if !m.pong {
					received[index]++ // this goroutine's own slot, read after the sink
					peers[m.from] <- msg{true, m.token, index}
					continue
				}
				pongs++
				if m.token != expected {
					bad++
				}
				if left > 0 {
					sendNext()
				} else if pongs == pings {
					sink <- report{pongs, bad}
				}
			}
		}(int32(i), peers[i])
	}
	pongs, bad := int64(0), int64(0)
	for i := int64(0); i < actors; i++ {
		r := <-sink
		pongs += r.pongs
		bad += r.bad
	}
	t1 := common.Now()
	for _, c := range peers {
		close(c) // all have reported: no ping is in flight
	}
	total := int64(0)
	for _, r := range received {
		total += r
	}
	// Every ping was answered before its sender reported (channel
	// operations order the counts before the sink's receive).
	if pongs != actors*pings || total != actors*pings || bad != 0 {
		common.Fail("big", "%d pongs and %d pings (want %d), %d bad", pongs, total, actors*pings, bad)
	}
	common.Report("big", 2*actors*pings, t1-t0)
}

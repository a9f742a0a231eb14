// Parallel (b) chameneos, Go: chameneos goroutines, a channel each, meet
// through a mall goroutine until N meetings have taken place (the protocol
// of alox/chameneos.c).
//
//	chameneos [meetings] [chameneos]
package main

import "savina/common"

type meet struct {
	from   chan message
	colour int32
}

type message struct {
	kind    int // pair, change, stop
	partner chan message
	colour  int32
}

const (
	pair = iota
	change
	stop
)

func main() {
	meetings := common.Arg(1, 200000)
	count := common.Arg(2, 100)
	t0 := common.Now()
	// Every chameneo has one request at the mall at most, and one message
	// in its own channel: these buffers never block a sender.
	mall := make(chan meet, count)
	reports := make(chan int64, count)
	for i := int64(0); i < count; i++ {
		go func(colour int32) {
			in := make(chan message, 1)
			met := int64(0)
			mall <- meet{in, colour}
			for m := range in {
				switch m.kind {
				case pair:
					colour = common.ChameneosComplement(colour, m.colour)
					met++
					m.partner <- message{change, nil, colour}
					mall <- meet{in, colour}
				case change:
					colour = m.colour
					met++
					mall <- meet{in, colour}
				case stop:
					reports <- met
					return
				}
			}
		}(int32(i % 3))
	}
	go func() { // the mall
		var waiting chan message
		left := meetings
		for m := range mall {
			switch {
			case left == 0:
				m.from <- message{stop, nil, 0}
			case waiting == nil:
				waiting = m.from
			default:
				left--
				waiting <- message{pair, m.from, m.colour}
				waiting = nil
			}
		}
	}()
	counted := int64(0)
	for i := int64(0); i < count; i++ {
		counted += <-reports
	}
	t1 := common.Now()
	close(mall)
	if counted != 2*meetings {
		common.Fail("chameneos", "%d meetings counted (want %d)", counted, 2*meetings)
	}
	common.Report("chameneos", meetings, t1-t0)
}

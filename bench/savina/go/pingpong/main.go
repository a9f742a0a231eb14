// Savina (a) ping-pong, Go: two goroutines, a channel each, bounce a
// counter N times; every message carries the count and the sender's channel.
//
//	pingpong [round_trips]
package main

import "savina/common"

type msg struct {
	n    int32
	from chan msg
}

func main() {
	n := common.Arg(1, 1000000)
	pinger, ponger := make(chan msg, 1), make(chan msg, 1)
	done := make(chan [2]int64)
	go func() { // ponger
		hits := int64(0)
		for m := range ponger {
			hits++
			m.from <- msg{m.n, ponger}
			if m.n == 0 {
				break
			}
		}
		done <- [2]int64{1, hits}
	}()
	t0 := common.Now()
	go func() { // pinger
		hits := int64(0)
		for m := range pinger {
			hits++
			if m.n == 0 {
				break
			}
			m.from <- msg{m.n - 1, pinger}
		}
		done <- [2]int64{0, hits}
	}()
	pinger <- msg{int32(n), ponger}
	var hits [2]int64
	for i := 0; i < 2; i++ {
		r := <-done
		hits[r[0]] = r[1]
	}
	t1 := common.Now()
	if hits[0] != n+1 || hits[1] != n {
		common.Fail("pingpong", "pinger got %d (want %d), ponger %d (want %d)", hits[0], n+1, hits[1], n)
	}
	common.Report("pingpong", 2*n, t1-t0)
}

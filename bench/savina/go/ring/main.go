// Savina (c) thread ring, Go: A goroutines in a ring, a channel each, pass
// a token H times; the one that gets it with nothing left reports its index.
//
//	ring [hops] [actors]
package main

import "savina/common"

func main() {
	hops := common.Arg(1, 10000000)
	actors := int(common.Arg(2, 100))
	ring := make([]chan int64, actors)
	for i := range ring {
		ring[i] = make(chan int64, 1)
	}
	done := make(chan int)
	hits := make([]int64, actors)
	for i := 0; i < actors; i++ {
		go func(i int, in, next chan int64) {
			for left := range in {
				hits[i]++ // this goroutine's own slot, read after done
				if left == 0 {
					done <- i
					return
				}
				next <- left - 1
			}
		}(i, ring[i], ring[(i+1)%actors])
	}
	t0 := common.Now()
	ring[0] <- hops
	last := <-done
	t1 := common.Now()
	for _, c := range ring {
		close(c) // the other goroutines end
	}
	total := int64(0)
	for _, h := range hits {
		total += h
	}
	if int64(last) != hops%int64(actors) || total != hops+1 {
		common.Fail("ring", "ended at %d (want %d) after %d tokens (want %d)", last, hops%int64(actors), total, hops+1)
	}
	common.Report("ring", hops, t1-t0)
}

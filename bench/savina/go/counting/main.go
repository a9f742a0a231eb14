// Savina (b) counting, Go: a producer goroutine sends N numbers on the
// counter's channel; the counter counts and sums them.
//
//	counting [messages]
package main

import "savina/common"

// Mailbox is the counter channel's buffer: the producer runs ahead of the
// counter by up to this many messages (an actor's mailbox is unbounded).
const mailbox = 1024

func main() {
	n := common.Arg(1, 10000000)
	counter := make(chan int64, mailbox)
	done := make(chan [2]int64)
	t0 := common.Now()
	go func() {
		count, sum := int64(0), int64(0)
		for v := range counter {
			count++
			sum += v
		}
		done <- [2]int64{count, sum}
	}()
	go func() { // producer
		for i := int64(0); i < n; i++ {
			counter <- i
		}
		close(counter)
	}()
	r := <-done
	t1 := common.Now()
	if r[0] != n || r[1] != n*(n-1)/2 {
		common.Fail("counting", "counted %d (want %d), sum %d (want %d)", r[0], n, r[1], n*(n-1)/2)
	}
	common.Report("counting", n, t1-t0)
}

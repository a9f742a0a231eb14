// Savina (d) fork-join creation, Go: a driver starts N goroutines, each
// waiting on its own channel (all alive at once), then sends each one
// message; each answers on the driver's channel and ends.
//
//	forkjoin [actors]
package main

import "savina/common"

type request struct {
	i      int64
	driver chan int64
}

// Mailbox is the driver channel's buffer (an actor's mailbox is unbounded).
const mailbox = 1024

func main() {
	n := common.Arg(1, 1000000)
	t0 := common.Now()
	driver := make(chan int64, mailbox)
	workers := make([]chan request, n)
	for i := range workers {
		w := make(chan request, 1)
		workers[i] = w
		go func() {
			r := <-w
			r.driver <- common.ForkjoinValue(r.i)
		}()
	}
	go func() {
		for i, w := range workers {
			w <- request{int64(i), driver}
		}
	}()
	replies, sum := int64(0), int64(0)
	for replies < n {
		sum += <-driver
		replies++
	}
	t1 := common.Now()
	want := common.ForkjoinExpected(n)
	if sum != want {
		common.Fail("forkjoin", "%d replies, sum %d (want %d)", replies, sum, want)
	}
	common.Report("forkjoin", n, t1-t0)
}

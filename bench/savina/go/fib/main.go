// Parallel (c) fib, Go: one goroutine per call above the cut-off; it starts
// two for n - 1 and n - 2 and sends the sum of their answers on its
// parent's channel; at or below the cut-off it computes sequentially.
//
//	fib [n] [cutoff]
package main

import "savina/common"

func fib(out chan<- int64, n, cutoff int32) {
	if n <= cutoff {
		out <- common.FibSequential(n)
		return
	}
	c := make(chan int64, 2)
	go fib(c, n-1, cutoff)
	go fib(c, n-2, cutoff)
	out <- <-c + <-c
}

func main() {
	n := int32(common.Arg(1, 38))
	cutoff := int32(common.Arg(2, 22))
	t0 := common.Now()
	c := make(chan int64, 1)
	go fib(c, n, cutoff)
	value := <-c
	t1 := common.Now()
	if value != common.FibIterative(n) {
		common.Fail("fib", "fib(%d) = %d (want %d)", n, value, common.FibIterative(n))
	}
	common.Report("fib", common.FibActors(n, cutoff), t1-t0)
}

// Savina (f) skynet, Go, as in its public version: a goroutine per node of
// a 10-ary tree down to `leaves` leaves, each answering on its parent's
// channel; leaves send their number, inner nodes the sum of 10 answers.
//
//	skynet [leaves]   (a power of 10)
package main

import "savina/common"

func skynet(c chan int64, num, size, div int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64)
	var sum int64
	for i := int64(0); i < div; i++ {
		subNum := num + i*(size/div)
		go skynet(rc, subNum, size/div, div)
	}
	for i := int64(0); i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

func main() {
	leaves := common.Arg(1, 1000000)
	if !common.IsPowerOf10(leaves) {
		common.Fail("skynet", "leaves must be a power of 10")
	}
	t0 := common.Now()
	c := make(chan int64)
	go skynet(c, 0, leaves, 10)
	sum := <-c
	t1 := common.Now()
	if sum != leaves*(leaves-1)/2 {
		common.Fail("skynet", "sum %d (want %d)", sum, leaves*(leaves-1)/2)
	}
	common.Report("skynet", common.SkynetActors(leaves), t1-t0)
}

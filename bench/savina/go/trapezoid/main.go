// Parallel (a) trapezoid, Go: one goroutine per piece of the integral,
// started with its piece; each sends its area on the master's channel,
// which adds them up (see common/parallel.h).
//
//	trapezoid [pieces] [steps]
package main

import "savina/common"

func main() {
	pieces := common.Arg(1, 4000)
	steps := common.Arg(2, 2000)
	t0 := common.Now()
	master := make(chan float64, pieces)
	for i := int64(0); i < pieces; i++ {
		go func(i int64) { master <- common.TrapezoidPiece(i, pieces, steps) }(i)
	}
	sum := 0.0
	for i := int64(0); i < pieces; i++ {
		sum += <-master
	}
	t1 := common.Now()
	want := common.TrapezoidExpected(pieces, steps)
	if !common.TrapezoidClose(sum, want) {
		common.Fail("trapezoid", "area %.12g (want %.12g)", sum, want)
	}
	common.Report("trapezoid", pieces, t1-t0)
}

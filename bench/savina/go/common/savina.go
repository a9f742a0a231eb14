// Package common is what the Go programs of the Savina suite share: the
// clock, the arguments, the result line (the same as common/savina.h
// prints for the C programs) and what the workloads compute
// (common/parallel.h).
package common

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"time"
)

var start = time.Now()

// Now is monotonic nanoseconds.
func Now() int64 { return int64(time.Since(start)) }

// Arg is positional argument index (1-based) as a positive integer, or the default.
func Arg(index int, fallback int64) int64 {
	if len(os.Args) <= index {
		return fallback
	}
	v, err := strconv.ParseInt(os.Args[index], 10, 64)
	if err != nil || v <= 0 {
		fmt.Fprintf(os.Stderr, "%s: argument %d must be a positive integer, not '%s'\n", os.Args[0], index, os.Args[index])
		os.Exit(2)
	}
	return v
}

// Report prints the result line; threads is GOMAXPROCS.
func Report(workload string, units, ns int64) {
	fmt.Printf("SAVINA workload=%s system=go threads=%d units=%d ns=%d check=ok\n",
		workload, runtime.GOMAXPROCS(0), units, ns)
}

// Fail reports a wrong result and exits 1.
func Fail(workload, format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "SAVINA-FAIL %s: %s\n", workload, fmt.Sprintf(format, args...))
	os.Exit(1)
}

func SkynetActors(leaves int64) int64 {
	total := int64(0)
	for level := leaves; level >= 1; level /= 10 {
		total += level
	}
	return total
}

func IsPowerOf10(n int64) bool {
	for n > 1 && n%10 == 0 {
		n /= 10
	}
	return n == 1
}

func ForkjoinValue(i int64) int64 { return (i*7 + 3) % 1000 }

func ForkjoinExpected(n int64) int64 {
	sum := int64(0)
	for i := int64(0); i < n; i++ {
		sum += ForkjoinValue(i)
	}
	return sum
}

const trapezoidLeft, trapezoidRight = 0.0, 10.0

func trapezoidF(x float64) float64 { return math.Sqrt(1.0+x*x*x) * math.Sin(x) }

// TrapezoidPiece is the trapezoid rule over piece index of pieces, steps steps.
func TrapezoidPiece(index, pieces, steps int64) float64 {
	width := (trapezoidRight - trapezoidLeft) / float64(pieces)
	lo := trapezoidLeft + width*float64(index)
	h := width / float64(steps)
	sum := (trapezoidF(lo) + trapezoidF(lo+width)) / 2.0
	for i := int64(1); i < steps; i++ {
		sum += trapezoidF(lo + h*float64(i))
	}
	return sum * h
}

func TrapezoidExpected(pieces, steps int64) float64 {
	sum := 0.0
	for i := int64(0); i < pieces; i++ {
		sum += TrapezoidPiece(i, pieces, steps)
	}
	return sum
}

func TrapezoidClose(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Abs(want) }

func ChameneosComplement(a, b int32) int32 {
	if a == b {
		return a
	}
	return 3 - a - b
}

func FibSequential(n int32) int64 {
	if n < 2 {
		return int64(n)
	}
	return FibSequential(n-1) + FibSequential(n-2)
}

func FibIterative(n int32) int64 {
	a, b := int64(0), int64(1)
	for i := int32(0); i < n; i++ {
		a, b = b, a+b
	}
	return a
}

func FibActors(n, cutoff int32) int64 {
	if n <= cutoff {
		return 1
	}
	return 1 + FibActors(n-1, cutoff) + FibActors(n-2, cutoff)
}

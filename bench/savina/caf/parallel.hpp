// parallel.hpp - what the parallel workloads compute, for the CAF programs:
// the same functions as common/parallel.h (that header is C; this one
// includes it, its functions are static inline and plain C++ too).
#ifndef SAVINA_CAF_PARALLEL_HPP
#define SAVINA_CAF_PARALLEL_HPP

#include "../common/parallel.h"

#endif

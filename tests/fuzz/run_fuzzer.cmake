# Runs a libFuzzer binary over a scratch copy of a corpus directory.
#   cmake -DFUZZER=bin -DCORPUS=dir -DSCRATCH=dir -DARGS="a;b" -P run_fuzzer.cmake
foreach(var FUZZER CORPUS SCRATCH)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${var}= is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${SCRATCH})
file(MAKE_DIRECTORY ${SCRATCH})
file(COPY ${CORPUS}/ DESTINATION ${SCRATCH}/corpus)
execute_process(COMMAND ${FUZZER} ${ARGS} -artifact_prefix=${SCRATCH}/ ${SCRATCH}/corpus
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${result}); the input that failed is in ${SCRATCH}")
endif()

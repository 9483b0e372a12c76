# Installs dlc::runtime into a scratch prefix, builds examples/embed against
# it with find_package(dlc), and checks the example's answers.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/data)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${DLC_BUILD_DIR} --prefix ${WORK_DIR}/prefix --component runtime)
foreach(f include/dlc/runtime.h include/dlc/runtime.hpp lib/cmake/dlc/dlcConfig.cmake)
  if(NOT EXISTS ${WORK_DIR}/prefix/${f})
    message(FATAL_ERROR "install is missing ${f}")
  endif()
endforeach()
run(${WRITER} ${WORK_DIR}/data)
# In a sanitizer build the installed libdlcrt needs the sanitizer runtimes,
# which live in the executable: the example is built the same way.
set(flags)
if(SANITIZE)
  set(flags -DCMAKE_CXX_COMPILER=${CXX_COMPILER} "-DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE}"
      "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()
run(${CMAKE_COMMAND} -S ${DLC_SOURCE_DIR}/examples/embed -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release ${flags})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)

run(${WORK_DIR}/build/embed ${WORK_DIR}/data/bias.dlc ${WORK_DIR}/data/x.npy)
message(STATUS "embed (npy): ${OUT}")
# scores = {1, 2, 8, 4}: softmax(8) = e^8 / (e^1 + e^2 + e^8 + e^4) = 0.9788
if(NOT OUT MATCHES "top class 2, probability 0\\.978")
  message(FATAL_ERROR "unexpected output for x.npy: ${OUT}")
endif()
run(${WORK_DIR}/build/embed ${WORK_DIR}/data/rows.dlc ${WORK_DIR}/data/images.idx 1)
message(STATUS "embed (idx): ${OUT}")
# Image 1: row 3 is white (mean 1.0), every other row 0: already a
# distribution, so the value itself is the probability.
if(NOT OUT MATCHES "top class 3, probability 1\\.0000")
  message(FATAL_ERROR "unexpected output for images.idx 1: ${OUT}")
endif()
